// `npm test`'s second run: every end-to-end test again, on PostgreSQL (see .mocharc.postgres.json). Tests
// about the state file itself are left out by their "[state file]" tag, and instances.test.ts, which runs
// on PostgreSQL in the first run already.
import { postgresServer, POSTGRES_MISSING } from './postgres.js';

process.env.PA_TEST_STORE = 'postgres';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    if (await postgresServer()) return;
    console.log(`\n  ${POSTGRES_MISSING}\n`);
    process.exit(0);
  },
};
