// Quiet-hours stage of delivery: during a conversation's quiet hours only critical incidents, failed
// provisioning and what someone just asked for post at once. Everything else is held for one summary when
// the quiet hours end (digestScheduler.ts queues it): a new card is not posted, and an existing card is still
// edited (an edit notifies nobody) while its thread reply waits for the summary.
//
// Exactly once: a held delivery leaves the outbox, enters the delivery log and joins the conversation's
// held list in ONE write, so a restart neither repeats nor loses it; a silently edited one joins the held
// list in the write that records it.
import type { Logger } from 'pino';
import { isFinalState, isFulfilled, provisioningVerdict } from '../domain/provisioning.js';
import { quietWindowAt } from '../domain/schedule.js';
import type { OrderProvisioning } from '../domain/types.js';
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { CardThread, ThreadKindRegistry } from '../sources/source.js';
import type { Delivery, HeldAlert, State, Target } from '../store/state.js';
import type { StateStore } from '../store/stateStore.js';
import { conversationsOf, type ConversationWrites } from '../store/ports/conversations.js';
import { threadKindOf, threadOf } from './threadKinds.js';

/** send: as usual; silent: edit the card, hold the reply; held: taken out of the outbox for the summary. */
export type QuietDecision = 'send' | 'silent' | 'held';

/** Held alerts kept per incident, order or subscription card (the latest say where it stands), and notices per conversation. */
const KEPT_PER_SUBJECT = 3;
const NOTICES_KEPT = 20;


export interface QuietHoursDeps {
  store: StateStore;
  clock: Clock;
  log: Logger;
  /** The card thread kinds, registered at the composition root. */
  threadKinds: ThreadKindRegistry;
}

/** The silent decisions are checked against the outbox once there are this many (and then twice as many as were left). */
const PRUNE_FROM = 64;

export class QuietHoursStage {
  /**
   * Silent edits decided for their current attempt and not recorded yet: delivery id → the end of the quiet
   * hours, for the held alert that recorded() builds. Every attempt decides afresh and overwrites its entry.
   */
  private readonly silent = new Map<string, number>();
  private pruneAt = PRUNE_FROM;
  private readonly kinds: ThreadKindRegistry;

  constructor(private readonly deps: QuietHoursDeps) {
    this.kinds = deps.threadKinds;
  }

  /** Decided on every attempt (a retry after quiet hours ended is sent as usual). */
  async decide(delivery: Delivery, target: Target, thread: CardThread | undefined): Promise<QuietDecision> {
    this.silent.delete(delivery.id);
    this.prune();
    const setting = target.schedule?.quietHours;
    if (!setting) return 'send';
    const now = this.deps.clock.now();
    const window = quietWindowAt(setting, now);
    if (!window || breaksThrough(this.kinds, delivery, thread)) return 'send';
    // A muted card is the mute's business: edited, no reply, and no summary line either.
    if (thread?.mutedUntil && Date.parse(thread.mutedUntil) > now) return 'send';
    if (threadKindOf(this.kinds, delivery) && thread?.activityId) {
      this.silent.set(delivery.id, window.end);
      return 'silent';
    }
    const alert = heldAlert(this.kinds, delivery, thread, now, window.end);
    await this.deps.store.transaction((tx) => {
      tx.outbox.remove(delivery.id);
      if (tx.deliveryLog.has(delivery.id)) return;
      tx.deliveryLog.record(delivery.id, alert.heldAt);
      hold(tx.conversations, delivery.targetKey, alert);
    });
    this.deps.log.info({ deliveryId: delivery.id, target: delivery.targetKey, until: alert.heldUntil }, 'delivery held for the end of quiet hours');
    return 'held';
  }

  /** The card is edited but nobody is pinged: its reply goes into the summary instead. */
  silenced(deliveryId: string): boolean {
    return this.silent.has(deliveryId);
  }

  /** Inside the write that records a delivery: a silent edit's reply, as this delivery says it, joins the held alerts. */
  recorded(state: State, delivery: Delivery): void {
    const until = this.silent.get(delivery.id);
    if (until === undefined) return;
    const thread = threadOf(this.kinds, delivery, state);
    hold(conversationsOf(() => state, true), delivery.targetKey, { ...heldAlert(this.kinds, delivery, thread, this.deps.clock.now(), until), edited: true });
  }

  /** After that write succeeded. */
  forget(deliveryId: string): void {
    this.silent.delete(deliveryId);
  }

  /**
   * A delivery dropped after its decision (too big, conversation gone, out of attempts) is never recorded:
   * its entry goes once it has left the outbox. Checked now and then, so the cost stays linear.
   */
  private prune(): void {
    if (this.silent.size < this.pruneAt) return;
    const queued = this.deps.store.ports.outbox.ids();
    for (const id of this.silent.keys()) if (!queued.has(id)) this.silent.delete(id);
    this.pruneAt = Math.max(PRUNE_FROM, 2 * this.silent.size);
  }
}

/** What posts even in quiet hours: critical incidents, failed provisioning, answers people asked for, summaries. */
export function breaksThrough(kinds: ThreadKindRegistry, delivery: Delivery, thread: CardThread | undefined): boolean {
  switch (delivery.kind) {
    case 'provisioning':
      return provisioningFailed(delivery.provisioning);
    case 'notice':
      return delivery.requested === true;
    case 'summary':
      return true;
    default:
      // A card thread: as its kind says (a critical incident, a suspended subscription, access lost).
      return thread !== undefined && threadKindOf(kinds, delivery)?.breaksThrough(thread) === true;
  }
}

/** Some line item (or quantity) ended in a state other than fulfilled. */
export function provisioningFailed(provisioning: OrderProvisioning): boolean {
  if (provisioningVerdict(provisioning.lines) === 'unfulfilled') return true;
  return provisioning.lines.some(
    (line) =>
      (isFinalState(line.status) && !isFulfilled(line.status)) ||
      line.quantities.some((quantity) => quantity.quantity > 0 && isFinalState(quantity.status) && !isFulfilled(quantity.status)),
  );
}

function heldAlert(kinds: ThreadKindRegistry, delivery: Delivery, thread: CardThread | undefined, now: number, until: number): HeldAlert {
  const base = { id: delivery.id, heldAt: new Date(now).toISOString(), heldUntil: new Date(until).toISOString(), edited: false };
  switch (delivery.kind) {
    case 'provisioning': {
      const text = delivery.final ? `Every line item is final.${delivery.note ? `\n${delivery.note}` : ''}` : delivery.note || 'Provisioning changed.';
      return { ...base, kind: 'provisioning', text, customerId: delivery.provisioning.customerId, customerName: delivery.customerName, orderId: delivery.provisioning.orderId };
    }
    case 'notice':
      return { ...base, kind: 'notice', text: delivery.text };
    case 'summary':
      return { ...base, kind: 'notice', text: '' }; // never held: summaries break through
    default: {
      // A card thread's delivery: its kind says what the summary tells of it.
      const kind = threadKindOf(kinds, delivery);
      return { ...base, ...(kind ? kind.held(delivery, thread) : { kind: 'notice', text: '' }) };
    }
  }
}

/**
 * Adds a held alert to its conversation's list, keeping the latest few per incident, order or subscription
 * card and the latest notices. What is dropped is counted on the oldest one kept of the same subject.
 */
function hold(conversations: ConversationWrites, targetKey: string, alert: HeldAlert): void {
  const schedule = conversations.schedule(targetKey);
  if (!schedule) return;
  if (schedule.held.some((held) => held.id === alert.id)) return;
  schedule.held.push(alert);
  const same = schedule.held.filter((held) => subjectOf(held) === subjectOf(alert));
  const kept = subjectOf(alert) === NOTICES ? NOTICES_KEPT : KEPT_PER_SUBJECT;
  if (same.length > kept) {
    const dropped = same.slice(0, same.length - kept);
    const oldestKept = same[same.length - kept];
    if (oldestKept) oldestKept.alsoHeld = (oldestKept.alsoHeld ?? 0) + dropped.reduce((count, held) => count + 1 + (held.alsoHeld ?? 0), 0);
    const drop = new Set(dropped);
    schedule.held = schedule.held.filter((held) => !drop.has(held));
  }
}

const NOTICES = 'n';

/** What a held alert is about: one incident card, one order, one subscription card, or the bot's notices. */
function subjectOf(held: HeldAlert): string {
  if (held.kind === 'incident') return `i|${held.threadKey ?? ''}`;
  if (held.kind === 'provisioning') return `o|${held.customerId ?? ''}/${held.orderId ?? ''}`;
  return held.threadKey ? `s|${held.threadKey}` : NOTICES;
}
