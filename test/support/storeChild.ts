// A PostgreSQL store in a process of its own, standing for an instance a test can pause (SIGSTOP) and
// resume (SIGCONT) as a stalled host would be. Started with fork (storeProcess below): it opens the store
// at the URL it is given and answers the parent's questions over IPC with what it holds in memory. It can
// also claim a conversation, or deliver its outbox through the real delivery pipeline to a Teams stand-in
// that tells the parent what it is sending and holds each send until the parent lets it go.
import type { State } from '../../src/store/state.js';
import { fork, type ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { DeliveryPipeline } from '../../src/engine/delivery.js';
import type { ConversationSender } from '../../src/engine/teamsSender.js';
import type { ConversationClaim } from '../../src/store/coordination.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import { threadKindRegistry } from '../../src/sources/source.js';
import { incidentThreadKind } from '../../src/sources/incidents/threadKind.js';

const AS_CHILD = '--store-process';

/** What the child holds in memory, as ids. */
export interface HeldRecords {
  watches: string[];
  outbox: string[];
  deliveryLog: string[];
  orderCustomers: Record<string, string>;
  /** The card threads it holds in memory (none: they are paged, read per commit or view). */
  threadsHeld: string[];
}

export interface StoreProcess {
  held(): Promise<HeldRecords>;
  /** Claims the conversation as the child's delivery would (and keeps renewing it); true when it got it. */
  claim(targetKey: string): Promise<boolean>;
  /** Starts delivering what is queued; each send waits for `release`. */
  deliver(): void;
  /** Resolves once the child is sending the message with this text (it then waits for `release`). */
  sending(text: string): Promise<void>;
  /** Lets the sends waiting go through. */
  release(): void;
  /** The texts the child began to send, in order. */
  readonly sent: string[];
  /** The messages of the child's delivery log lines at warn level and above. */
  readonly warnings: string[];
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** What the child tells without being asked. */
type ChildEvent = { event: 'sending'; text: string } | { event: 'warn'; msg: string };

/** Forks this file as a store process on `url` and waits until its store is open (its claims last `leaseSeconds`). */
export async function storeProcess(url: string, { leaseSeconds = 30 }: { leaseSeconds?: number } = {}): Promise<StoreProcess> {
  const child = fork(new URL(import.meta.url).pathname, [AS_CHILD, url, String(leaseSeconds)], { execArgv: ['--no-deprecation'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const sent: string[] = [];
  const warnings: string[] = [];
  const answers: ((value: unknown) => void)[] = [];
  child.on('message', (message) => {
    const event = message as ChildEvent;
    if (event && typeof event === 'object' && 'event' in event) {
      if (event.event === 'sending') sent.push(event.text);
      else warnings.push(event.msg);
      return;
    }
    answers.shift()?.(message);
  });
  const next = () => new Promise<unknown>((resolve, reject) => {
    answers.push(resolve);
    child.once('exit', (code) => reject(new Error(`the store process exited (${code})`)));
  });
  await next();
  return {
    held: async () => {
      const answer = next();
      child.send('held');
      return (await answer) as HeldRecords;
    },
    claim: async (targetKey) => {
      const answer = next();
      child.send({ claim: targetKey });
      return (await answer) === true;
    },
    deliver: () => void child.send('deliver'),
    sending: async (text) => {
      const deadline = Date.now() + 10_000;
      while (!sent.includes(text)) {
        if (Date.now() > deadline) throw new Error(`the store process never sent "${text}" (sent: ${sent.join(', ') || 'nothing'})`);
        await sleep(20);
      }
    },
    release: () => void child.send('release'),
    sent,
    warnings,
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

async function serve(url: string, leaseSeconds: number): Promise<void> {
  const store = await PostgresStateStore.open(url, { pollMs: 100, leaseSeconds });
  const pipeline = new DeliveryPipeline({
    store,
    sender: heldSender(),
    cards: { provisioning: () => ({}) },
    threadKinds: threadKindRegistry([incidentThreadKind(() => ({}))]),
    clock: { now: () => Date.now(), sleep: (ms) => sleep(ms) },
    log: pino({ level: 'warn' }, forwardedWarnings()),
    threadEditIntervalMs: 0,
  });
  const claims: ConversationClaim[] = []; // kept, so they are held (and renewed) until the process ends
  process.on('message', (message) => {
    if (message === 'close') {
      void store.close().finally(() => process.exit(0));
      return;
    }
    if (message === 'deliver') {
      void pipeline.deliverPending().catch(() => undefined); // a refused record is told as a warn line
      return;
    }
    if (message === 'release') {
      for (const go of waitingSends.splice(0)) go();
      return;
    }
    if (message && typeof message === 'object' && 'claim' in message) {
      void store.coordination.claims.claim(String(message.claim)).then((claim) => {
        if (claim) claims.push(claim);
        process.send?.(claim !== null);
      });
      return;
    }
    const state = store.read();
    const held: HeldRecords = {
      watches: state.watches.map((watch) => watch.id),
      outbox: state.outbox.map((delivery) => delivery.id),
      deliveryLog: Object.keys(state.deliveryLog),
      orderCustomers: { ...state.orderCustomers },
      threadsHeld: Object.keys((store as unknown as { copy: { state: State } }).copy.state.threads),
    };
    process.send?.(held);
  });
  process.send?.('ready');
}

/** Sends waiting for the parent's 'release'. */
const waitingSends: (() => void)[] = [];

/** Teams, as far as the child knows: each message is told to the parent, then held until it lets it go. */
function heldSender(): ConversationSender {
  const send = async (text: string) => {
    process.send?.({ event: 'sending', text });
    await new Promise<void>((resolve) => waitingSends.push(resolve));
  };
  return {
    post: async () => {
      await send('(a card)');
      return 'activity-from-the-child';
    },
    update: async () => undefined,
    reply: async (_target, _root, text) => send(text),
    say: async (_target, text) => send(text),
  };
}

/** Where the child's log lines go: each one (pino's JSON) reaches the parent as a warn event. */
function forwardedWarnings(): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) process.send?.({ event: 'warn', msg: (JSON.parse(line) as { msg: string }).msg });
      done();
    },
  });
}

// Run as the child storeProcess forks, not when a test imports this file.
if (process.argv[2] === AS_CHILD && process.argv[3]) await serve(process.argv[3], Number(process.argv[4] ?? 30));
