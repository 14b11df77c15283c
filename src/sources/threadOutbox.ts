// The thread-and-outbox helper every source's routing uses, inside its batch's single write (provisioning,
// whose cards are not threads, only its OutboxQueue). A change goes
// to a conversation's card thread of its episode (found, or opened): the thread's first delivery posts the
// card; while a delivery of that thread is still queued and not being sent, later changes join its reply;
// once it is being sent (in flight, or served by another instance), a change queues a delivery of its own.
// A delivery already queued or already sent (the delivery log) is never queued again.
import type { Delivery, State } from '../store/state.js';
import type { ThreadDelivery } from './source.js';
import { wasDelivered } from '../store/deliveryLog.js';

export interface ThreadOutboxOptions {
  now: Date;
  /** Deliveries being sent right now: a change merged into one of them would never be sent. */
  inFlight?: ReadonlySet<string>;
}

/** One batch's view of the outbox: a delivery already queued or already sent is never queued again. */
export class OutboxQueue {
  private readonly outboxIds: Set<string>;

  constructor(private readonly state: State) {
    this.outboxIds = new Set(state.outbox.map((delivery) => delivery.id));
  }

  /** Already queued or already sent: the same change found again (e.g. a batch fetched again after a crash). */
  has(id: string): boolean {
    return wasDelivered(this.state, id) || this.outboxIds.has(id);
  }

  /** Queues a delivery. 1 if queued, 0 if already queued or sent. */
  enqueue(delivery: Delivery): number {
    if (this.has(delivery.id)) return 0;
    this.state.outbox.push(delivery);
    this.outboxIds.add(delivery.id);
    return 1;
  }
}

/** One batch's view of the outbox for one kind of card thread. */
export class ThreadOutbox<D extends Delivery & ThreadDelivery> {
  private readonly queue: OutboxQueue;
  /** Each thread's delivery still queued and not being sent. */
  private readonly queuedByThread = new Map<string, D>();
  readonly at: string;

  constructor(
    state: State,
    readonly kind: D['kind'],
    { now, inFlight }: ThreadOutboxOptions,
  ) {
    this.at = now.toISOString();
    this.queue = new OutboxQueue(state);
    for (const delivery of state.outbox) {
      if (delivery.kind === kind && !inFlight?.has(delivery.id)) this.queuedByThread.set((delivery as D).threadKey, delivery as D);
    }
  }

  /** Already queued or already sent: the same change found again (e.g. a batch fetched again after a crash). */
  has(id: string): boolean {
    return this.queue.has(id);
  }

  /** The thread's delivery still queued and not being sent: later changes join its reply. */
  queued(threadKey: string): D | undefined {
    return this.queuedByThread.get(threadKey);
  }

  /** Queues a delivery (of any kind: a batch may queue others beside its threads'). 1 if queued, 0 if already queued or sent. */
  enqueue(delivery: Delivery): number {
    if (this.queue.enqueue(delivery) === 0) return 0;
    if (delivery.kind === this.kind) this.queuedByThread.set((delivery as D).threadKey, delivery as D);
    return 1;
  }
}

/** A thread delivery whose reply is a list of lines (a subscription's, an access episode's). */
export type LinesDelivery = Delivery & ThreadDelivery & { note: string[] | null };

/** One change for one conversation's card thread. */
export interface ThreadNews<Thread> {
  targetKey: string;
  threadKey: string;
  /** Deterministic from the change, so that the same change never queues twice. */
  id: string;
  /** The thread, when the conversation has none of this episode yet. */
  open(): Thread;
  /** Writes the change into the thread, found or just opened. */
  apply(thread: Thread): void;
  /** What the thread reply says of it. */
  lines: string[];
}

/**
 * Routes one change to its thread: nothing if already queued or sent; else the thread found or opened and
 * changed, and its lines merged into the thread's queued reply, or a delivery queued (a thread that has, or
 * is about to have, a card gets an edit plus a reply; a new one just its card). Returns 1 if it queued one.
 */
export function routeThreadNews<Thread, D extends LinesDelivery>(outbox: ThreadOutbox<D>, threads: Record<string, Thread>, news: ThreadNews<Thread>): number {
  if (outbox.has(news.id)) return 0;
  const existing = threads[news.threadKey];
  const thread = existing ?? news.open();
  news.apply(thread);
  threads[news.threadKey] = thread;
  const pending = outbox.queued(news.threadKey);
  if (pending) {
    // Not sent yet: it renders the thread as it is then; its reply gets these lines too.
    pending.note?.push(...news.lines);
    return 0;
  }
  const { at } = outbox;
  const delivery = { kind: outbox.kind, id: news.id, targetKey: news.targetKey, threadKey: news.threadKey, note: existing ? news.lines : null, createdAt: at, attempts: 0, notBefore: at, lastError: null };
  return outbox.enqueue(delivery as D);
}

/** The threads of the wanted episodes, by episode: each episode may have a card in several conversations. */
export function threadsByEpisode<Thread>(threads: Record<string, Thread>, wanted: ReadonlySet<string>, episodeOf: (thread: Thread) => string): Map<string, Thread[]> {
  const found = new Map<string, Thread[]>();
  for (const thread of Object.values(threads)) {
    const episode = episodeOf(thread);
    if (!wanted.has(episode)) continue;
    const list = found.get(episode);
    if (list) list.push(thread);
    else found.set(episode, [thread]);
  }
  return found;
}
