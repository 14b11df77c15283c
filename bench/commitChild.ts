// One PostgreSQL store instance in a process of its own, for bench/parallelCommits.ts: it opens the store
// (no lease: its writes are not fenced), gives itself one incident card with THREAD_CUSTOMERS customers in a
// conversation of its own, and on request commits a stream of store.update calls, one after the other, each
// changing every customer of that card (THREAD_CUSTOMERS rows of incident_thread_customers per commit).
//   node dist/bench/commitChild.js <database url> <name>
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresStateStore } from '../src/store/postgres/postgresStore.js';
import { threadKey } from '../src/store/state.js';
import { thread } from '../test/support/sampleState.js';

export const THREAD_CUSTOMERS = 300;

export type CommitChildRequest = { type: 'run'; commits: number } | { type: 'close' };
export type CommitChildMessage = { type: 'ready' } | { type: 'done'; ms: number };

async function main(): Promise<void> {
  const [url = '', name = 'a'] = process.argv.slice(2);
  const store = await PostgresStateStore.open(url, { instance: false });
  const conversation = `19:bench-commits-${name}@thread.tacv2`;
  const key = threadKey(conversation, `EX-${name}`);
  let flips = 0;

  /** Every customer of this instance's card resolved, or not: all THREAD_CUSTOMERS rows change each time. */
  const commitOnce = () =>
    store.update((draft) => {
      flips += 1;
      const card = draft.threads[key] ?? thread(key, conversation);
      draft.threads[key] = card;
      for (let c = 0; c < THREAD_CUSTOMERS; c++) card.customers[`${name}-${c}`] = { name: `Customer ${name} ${c}`, resolved: flips % 2 === 0, vanished: false };
    }, { load: { threads: [key] } });

  await commitOnce();
  const send = (message: CommitChildMessage) => process.send?.(message);
  process.on('message', (request: CommitChildRequest) => {
    if (request.type === 'run') {
      void (async () => {
        const started = performance.now();
        for (let i = 0; i < request.commits; i++) await commitOnce();
        send({ type: 'done', ms: performance.now() - started });
      })();
    } else {
      void store.close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void store.close().finally(() => process.exit(0)));
  send({ type: 'ready' });
}

// Only as a script: bench/parallelCommits.ts imports this module for its types and settings.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
