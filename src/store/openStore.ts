// Which store the configuration asks for: PostgreSQL when DATABASE_URL is set, else the lowdb file.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { LowdbStateStore } from './lowdbStore.js';
import { PostgresStateStore } from './postgres/postgresStore.js';
import type { StateStore } from './stateStore.js';

export function openStore(config: Pick<Config, 'dataFile' | 'databaseUrl' | 'leaseSeconds'>, log: Logger, options: { tool?: boolean } = {}): Promise<StateStore> {
  // A tool (connect-partner-center) shares the database with running instances but never leads the sweep.
  if (config.databaseUrl) return PostgresStateStore.open(config.databaseUrl, { leaseSeconds: config.leaseSeconds, log, ...(options.tool ? { instance: false } : {}) });
  return LowdbStateStore.open(config.dataFile, { log: (note) => log.warn(note) });
}
