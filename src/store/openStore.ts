// Which store the configuration asks for: PostgreSQL when DATABASE_URL is set, else the lowdb file.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { LowdbStateStore } from './lowdbStore.js';
import { PostgresStateStore } from './postgres/postgresStore.js';
import type { StateStore } from './stateStore.js';

export function openStore(config: Pick<Config, 'dataFile' | 'databaseUrl' | 'leaseSeconds'>, log: Logger): Promise<StateStore> {
  if (config.databaseUrl) return PostgresStateStore.open(config.databaseUrl, { leaseSeconds: config.leaseSeconds, log });
  return LowdbStateStore.open(config.dataFile, { log: (note) => log.warn(note) });
}
