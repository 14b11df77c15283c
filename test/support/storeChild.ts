// A PostgreSQL store in a process of its own, standing for an instance a test can pause (SIGSTOP) and
// resume (SIGCONT) as a stalled host would be. Started with fork (storeProcess below): it opens the store
// at the URL it is given and answers the parent's questions over IPC with what it holds in memory.
import { fork, type ChildProcess } from 'node:child_process';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';

const AS_CHILD = '--store-process';

/** What the child holds in memory, as ids. */
export interface HeldRecords {
  watches: string[];
  outbox: string[];
  deliveryLog: string[];
  orderCustomers: Record<string, string>;
  threadCustomers: Record<string, string[]>;
}

export interface StoreProcess {
  held(): Promise<HeldRecords>;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** Forks this file as a store process on `url` and waits until its store is open. */
export async function storeProcess(url: string): Promise<StoreProcess> {
  const child = fork(new URL(import.meta.url).pathname, [AS_CHILD, url], { execArgv: ['--no-deprecation'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise<unknown>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the store process exited (${code})`)));
  });
  await next();
  return {
    held: async () => {
      const answer = next();
      child.send('held');
      return (await answer) as HeldRecords;
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    close: () => closeChild(child),
  };
}

async function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGCONT');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('close');
  await exited;
}

async function serve(url: string): Promise<void> {
  const store = await PostgresStateStore.open(url, { pollMs: 100 });
  process.on('message', (message) => {
    if (message === 'close') {
      void store.close().finally(() => process.exit(0));
      return;
    }
    const state = store.read();
    const held: HeldRecords = {
      watches: state.watches.map((watch) => watch.id),
      outbox: state.outbox.map((delivery) => delivery.id),
      deliveryLog: Object.keys(state.deliveryLog),
      orderCustomers: { ...state.orderCustomers },
      threadCustomers: Object.fromEntries(Object.values(state.threads).map((thread) => [thread.key, Object.keys(thread.customers)])),
    };
    process.send?.(held);
  });
  process.send?.('ready');
}

// Run as the child storeProcess forks, not when a test imports this file.
if (process.argv[2] === AS_CHILD && process.argv[3]) await serve(process.argv[3]);
