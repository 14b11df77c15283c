// What every stage of the delivery chain shares: one small interface (a stage passes the attempt on, or ends
// it with an outcome), the attempt it fills in for the stages after it, and what the chain was given.
import type { Logger } from 'pino';
import type { SummaryReport } from '../../domain/digest.js';
import type { Clock } from '../../partnerCenter/rateBudget.js';
import type { CardThread, ThreadDeliveryKind, ThreadKindRegistry } from '../../sources/source.js';
import type { Delivery, ProvisioningDelivery, Target } from '../../store/state.js';
import type { StateStore } from '../../store/stateStore.js';
import type { QuietHoursStage } from '../quietHours.js';
import type { ConversationSender } from '../teamsSender.js';
import type { UnrecordedDeliveries } from './unrecorded.js';

/** The cards that are no card thread's (a thread's card is its kind's, in the thread-kind registry). */
export interface AlertCards {
  /** May look something up first (the order's product names); never rejects. */
  provisioning(delivery: ProvisioningDelivery, now: Date): object | Promise<object>;
  /** A digest or a quiet-hours summary (see digestScheduler.ts). */
  summary?(report: SummaryReport, now: Date): object;
}

export interface StageDeps {
  store: StateStore;
  sender: ConversationSender;
  cards: AlertCards;
  /** Every source's card thread kinds (incidents, subscriptions, access, ...), registered at the composition root. */
  threadKinds: ThreadKindRegistry;
  clock: Clock;
  log: Logger;
  random?: () => number;
  /** A send that has not answered by then counts as a transient failure (default 15 s). */
  sendTimeoutMs?: number;
  /** Replies about one incident in one conversation are spaced this far apart (default 60 s). */
  threadEditIntervalMs?: number;
  /** Edits of a card behind its thread are spaced this far apart, changes in between coalesced (default 10 s). */
  cardEditIntervalMs?: number;
}

/**
 * `held`: quiet hours took it out of the outbox for their summary (quietHours.ts). `edited`: its card was
 * brought up to date while its reply waits for the thread's spacing; it stays queued.
 */
export type Outcome = 'sent' | 'deferred' | 'dropped' | 'held' | 'edited';

/** A stage's answer when the attempt goes on to the next stage. */
export const NEXT = 'next';

export interface DeliveryStage {
  run(attempt: DeliveryAttempt): Promise<Outcome | typeof NEXT>;
}

/** One attempt at one delivery, as the stages learn about it (each fills in what the later ones need). */
export interface DeliveryAttempt {
  readonly delivery: Delivery;
  /** Route: its conversation (active), its card thread's kind and its thread (none for the others). */
  target?: Target;
  kind?: ThreadDeliveryKind;
  thread?: CardThread;
  /** Route: what the card shows once sent, the thread as read now (a batch may change it meanwhile). */
  shownAt: string | null;
  /** Mute: only the card is brought up to date, its reply waits for the thread's spacing. */
  editOnly: boolean;
  /** Mute: an edited card gets no thread reply (muted, or its reply held by quiet hours). */
  replyHeld: boolean;
  /** Send: the id of a newly posted card (null: an existing card was edited). */
  postedId: string | null;
}

export function newAttempt(delivery: Delivery): DeliveryAttempt {
  return { delivery, shownAt: null, editOnly: false, replyHeld: false, postedId: null };
}

/** What the chain gives its stages: its dependencies, the thread kinds, and the state the stages share. */
export interface ChainContext {
  deps: StageDeps;
  kinds: ThreadKindRegistry;
  quiet: QuietHoursStage;
  unrecorded: UnrecordedDeliveries;
}
