// The outbox port: the Teams deliveries waiting, as one queue in the order they were queued; each
// conversation's part of it goes out in that order. Reads are synchronous for now (delivery's workers and
// timers ask between awaits): both backends serve them from memory; PostgreSQL's `outbox` table could serve
// queuedFor() and heads() by query (it keeps each row's position) once delivery's callers are async.
import type { Delivery, State } from '../state.js';

export interface Outbox {
  /** Everything queued, oldest first. */
  all(): readonly Readonly<Delivery>[];
  /** What is queued for one conversation, oldest first. */
  queuedFor(targetKey: string): readonly Readonly<Delivery>[];
  /** The first delivery queued for each conversation. */
  heads(): readonly Readonly<Delivery>[];
  /** The conversations with something queued. */
  conversations(): ReadonlySet<string>;
  /** The ids of everything queued. */
  ids(): ReadonlySet<string>;
  has(id: string): boolean;
}

export interface OutboxWrites extends Outbox {
  /** The queued delivery, to change in place (its attempts, its retry time). */
  find(id: string): Delivery | undefined;
  /** Queues it last. */
  enqueue(delivery: Delivery): void;
  /** Takes it out of the queue (sent, held, dropped). */
  remove(id: string): void;
  /** Takes out everything queued for a conversation (it is gone). */
  removeFor(targetKey: string): void;
}

export function outboxOf(state: () => State): OutboxWrites {
  const all = () => state().outbox;
  const without = (drop: (delivery: Delivery) => boolean) => {
    state().outbox = all().filter((delivery) => !drop(delivery));
  };
  return {
    all,
    queuedFor: (targetKey) => all().filter((delivery) => delivery.targetKey === targetKey),
    heads() {
      const heads = new Map<string, Delivery>();
      for (const delivery of all()) if (!heads.has(delivery.targetKey)) heads.set(delivery.targetKey, delivery);
      return [...heads.values()];
    },
    conversations: () => new Set(all().map((delivery) => delivery.targetKey)),
    ids: () => new Set(all().map((delivery) => delivery.id)),
    has: (id) => all().some((delivery) => delivery.id === id),
    find: (id) => all().find((delivery) => delivery.id === id),
    enqueue(delivery) {
      state().outbox.push(delivery);
    },
    remove: (id) => without((delivery) => delivery.id === id),
    removeFor: (targetKey) => without((delivery) => delivery.targetKey === targetKey),
  };
}
