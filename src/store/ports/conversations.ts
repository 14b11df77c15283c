// The conversations port: the conversations the bot may post to (references), each with its digest and
// quiet-hours settings and the alerts quiet hours hold. Reads are synchronous for now: both backends serve
// them from memory (lowdb: the file's document; PostgreSQL: the resident copy of `targets`, small — one row
// per conversation). PostgreSQL could serve get() by primary key and active() by its `active` column.
import { emptySchedule, type ConversationSchedule, type State, type Target } from '../state.js';

export interface Conversations {
  /** The conversation stored under `key` (the conversation id without ";messageid="). */
  get(key: string): Readonly<Target> | undefined;
  /** Every stored conversation, active or not. */
  all(): readonly Readonly<Target>[];
  /** The conversations the bot may still post to. */
  active(): readonly Readonly<Target>[];
  /** Its digest and quiet hours and the alerts they hold; undefined when it has none yet. */
  schedule(key: string): Readonly<ConversationSchedule> | undefined;
}

/** Inside a transaction: the records are the draft's, changed in place; committed with the transaction. */
export interface ConversationWrites extends Conversations {
  get(key: string): Target | undefined;
  all(): Target[];
  active(): Target[];
  /** Its schedule to change, made empty first when it has none; undefined for an unknown conversation. */
  schedule(key: string): ConversationSchedule | undefined;
  /** Stores (or replaces) the conversation under its key. */
  put(target: Target): void;
  /** Marks it inactive, with why: nothing is posted to it any more. False when it is unknown. */
  deactivate(key: string, reason: string, at: string): boolean;
}

export function conversationsOf(state: () => State, writable: boolean): ConversationWrites {
  const targets = () => state().targets;
  return {
    get: (key) => targets()[key],
    all: () => Object.values(targets()),
    active: () => Object.values(targets()).filter((target) => target.active),
    schedule(key) {
      const target = targets()[key];
      if (!target) return undefined;
      // Only a transaction gives a conversation its empty schedule: a reader must not write the published copy.
      return writable ? (target.schedule ??= emptySchedule()) : target.schedule;
    },
    put(target) {
      targets()[target.key] = target;
    },
    deactivate(key, reason, at) {
      const target = targets()[key];
      if (!target) return false;
      Object.assign(target, { active: false, inactiveReason: reason, updatedAt: at });
      return true;
    },
  };
}
