// npm run migrate-state -- --from <lowdb file> [--replace]
// Copies everything of a lowdb state file (watches, conversations, threads, snapshots, outbox, delivery log,
// the sweep's cursor, the refresh token) into the PostgreSQL database named by DATABASE_URL, in one
// transaction, and prints what it copied. Stop Partner Alerts first: the file's lock says if it still runs.
// A database that already holds state is refused unless --replace, which replaces its state by the file's.
// STATE_ENCRYPTION_KEY (and _PREVIOUS) open the file's secrets and seal them in the database, as the bot does.
import { existsSync } from 'node:fs';
import { loadConfig } from '../src/config.js';
import { LowdbStateStore } from '../src/store/lowdbStore.js';
import { PostgresStateStore } from '../src/store/postgres/postgresStore.js';
import { FIELDS } from '../src/store/records.js';
import { ALL_PAGED_KEYS, wholeState } from '../src/store/paged.js';
import { NO_KEYS, SecretBox } from '../src/store/secretBox.js';
import { StateFileError } from '../src/store/state.js';

const USAGE = 'Usage: npm run migrate-state -- --from <lowdb state file> [--replace]   (DATABASE_URL names the database)';

interface Args {
  from: string;
  replace: boolean;
}

function parseArgs(argv: string[]): Args | string {
  let from: string | undefined;
  let replace = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--from' && argv[i + 1]) from = argv[++i];
    else if (arg === '--replace') replace = true;
    else return `Unknown or incomplete option "${arg}".\n${USAGE}`;
  }
  return from ? { from, replace } : `Say which state file to copy with --from.\n${USAGE}`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(args);
    return 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig(process.env);
  const url = config.ok ? config.config.databaseUrl : null;
  if (!url) {
    console.error(config.ok ? `DATABASE_URL is not set: say which database to copy into.\n${USAGE}` : config.problems.join('\n'));
    return 2;
  }
  if (!existsSync(args.from)) {
    console.error(`The state file ${args.from} does not exist.`);
    return 2;
  }

  const secrets = new SecretBox((config.ok && config.config.stateEncryption) || NO_KEYS);
  let file: LowdbStateStore | null = null;
  let database: PostgresStateStore | null = null;
  try {
    file = await LowdbStateStore.open(args.from, { secrets });
    database = await PostgresStateStore.open(url, { instance: false, secrets });
    const before = await database.counts();
    const held = Object.values(before).reduce((sum, n) => sum + n, 0);
    if (held > 0 && !args.replace) {
      console.error(`The database already holds state (${describe(before)}). Nothing was copied. Use --replace to replace it with the file's.`);
      return 2;
    }
    const source = await wholeState(file);
    // Every key of the paged records: those the file lacks are deleted (--replace), as every other record is.
    await database.update((draft) => {
      for (const field of FIELDS) if (field !== 'schemaVersion') (draft as unknown as Record<string, unknown>)[field] = source[field];
    }, { load: ALL_PAGED_KEYS });
    const after = await database.counts();
    console.log(`Copied ${args.from} into the database${held > 0 ? ' (its earlier state replaced)' : ''}: ${describe(after)}.`);
    console.log('Set DATABASE_URL for every instance, then start them: the state file is no longer used.');
    return 0;
  } catch (error) {
    console.error(error instanceof StateFileError ? error.message : `The copy failed and nothing was written: ${(error as Error).message}`);
    return 1;
  } finally {
    await database?.close();
    await file?.close();
  }
}

function describe(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([table, n]) => `${n} ${table.replaceAll('_', ' ')}`)
    .join(', ');
}

process.exitCode = await main();
