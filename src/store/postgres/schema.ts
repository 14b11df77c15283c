// Brings the database to the schema this release knows, once, whichever instance starts first.
import type pg from 'pg';
import { StateFileError } from '../state.js';
import { MIGRATIONS } from './migrations.js';
import { LOCKS } from './locks.js';

export async function applyMigrations(pool: pg.Pool, log: (note: string) => void): Promise<void> {
  const client = await pool.connect();
  try {
    // A session lock: held across the migrations' own transactions, released even if one fails.
    await client.query('select pg_advisory_lock($1, $2)', [LOCKS.namespace, LOCKS.migrations]);
    await client.query('create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())');
    const { rows } = await client.query<{ version: number }>('select version from schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    refuseNewerSchema(Math.max(0, ...applied));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
      log(`database migrated to schema ${migration.version} (${migration.name})`);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1, $2)', [LOCKS.namespace, LOCKS.migrations]).catch(() => undefined);
    client.release();
  }
}

/** Throws when the database's newest applied migration is one this release does not know. */
export function refuseNewerSchema(newest: number): void {
  const known = Math.max(...MIGRATIONS.map((migration) => migration.version));
  if (newest > known) {
    throw new StateFileError(
      `The database was migrated by a newer Partner Alerts (schema ${newest}; this one knows up to ${known}). Upgrade, or point DATABASE_URL elsewhere.`,
    );
  }
}
