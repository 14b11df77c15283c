// Which store the configuration asks for: PostgreSQL when DATABASE_URL is set, else the lowdb file. Both
// seal the secrets they store under STATE_ENCRYPTION_KEY when it is set.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { LowdbStateStore } from './lowdbStore.js';
import { PostgresStateStore } from './postgres/postgresStore.js';
import { NO_KEYS, SecretBox } from './secretBox.js';
import type { StateStore } from './stateStore.js';
import { SECRETS, secretsHeld } from './storedSecrets.js';

type StoreConfig = Pick<Config, 'dataFile' | 'databaseUrl' | 'leaseSeconds'> & Partial<Pick<Config, 'bot' | 'stateEncryption'>>;

export async function openStore(config: StoreConfig, log: Logger, options: { tool?: boolean } = {}): Promise<StateStore> {
  const secrets = new SecretBox(config.stateEncryption ?? NO_KEYS);
  // A tool (connect-partner-center) shares the database with running instances but never leads the sweep.
  const store = config.databaseUrl
    ? await PostgresStateStore.open(config.databaseUrl, { leaseSeconds: config.leaseSeconds, log, secrets, ...(options.tool ? { instance: false } : {}) })
    : await LowdbStateStore.open(config.dataFile, { log: (note) => log.warn(note), secrets });
  // In production (an app id set) a key is expected; the sandbox and local runs are not nagged.
  if (config.bot && !secrets.encrypts) log.warn(plainTextWarning(store));
  // Tells the operator rotating a key (or turning one on) that this start did its part.
  if (secrets.renewed.size > 0) {
    log.info({ keyId: secrets.keyId }, `the stored ${[...secrets.renewed].join(' and the ')} is now encrypted under STATE_ENCRYPTION_KEY (id ${secrets.keyId})`);
  }
  return store;
}

/**
 * Throws what openStore would throw about the store, found without writing anything to it: for
 * connect-partner-center, which must leave the state as it was unless it has a proven token to store.
 */
export async function checkStore(config: StoreConfig): Promise<void> {
  // Its own box: what the check opens says nothing to the "now encrypted" note of the store opened later.
  const secrets = new SecretBox(config.stateEncryption ?? NO_KEYS);
  if (config.databaseUrl) await PostgresStateStore.check(config.databaseUrl, { secrets });
  else await LowdbStateStore.check(config.dataFile, { secrets });
}

/** One sentence: what is (or, before consent, will be) stored in plain text, and where. */
function plainTextWarning(store: StateStore): string {
  const where = store.backend === 'postgres' ? 'the database' : 'the state file';
  const held = secretsHeld(store.read());
  const what = held.length > 0 ? `the ${held.join(' and the ')} ${held.length > 1 ? 'are' : 'is'} stored` : `the ${SECRETS.map((spot) => spot.label).join(' and the ')} will be stored`;
  return `STATE_ENCRYPTION_KEY is not set: ${what} in plain text in ${where}. Set STATE_ENCRYPTION_KEY (see "Secrets at rest" in the README).`;
}
