// When a card's delivery may go: replies about one card notify people, so they are spaced a minute apart;
// an edit notifies no one, so a card behind its thread is edited on its own within CARD_EDIT_INTERVAL_MS
// (edits of one card spaced that far, the changes in between coalesced) while its reply waits.
import type { CardThread } from '../sources/source.js';

export type { CardThread } from '../sources/source.js';

const REPLY_INTERVAL_MS = 60_000;
const CARD_EDIT_INTERVAL_MS = 10_000;

export interface Pacing {
  threadEditIntervalMs?: number;
  cardEditIntervalMs?: number;
}

/** The thread changed since its card was last posted or edited (unknown for threads of older releases: behind). */
export function cardBehind(thread: CardThread): boolean {
  return thread.shownAt !== thread.updatedAt;
}

export function replyDueAt(thread: CardThread, pacing: Pacing): number {
  return thread.lastSentAt ? Date.parse(thread.lastSentAt) + (pacing.threadEditIntervalMs ?? REPLY_INTERVAL_MS) : 0;
}

/**
 * When a delivery may go next (`replies`: it replies in its card's thread): at once without a reply; else
 * its reply once the thread's replies are spaced, or sooner its card's edit alone when the card is behind.
 */
export function nextDueAt(replies: boolean, thread: CardThread | undefined, pacing: Pacing): number {
  if (!thread || !replies) return 0;
  const replyDue = replyDueAt(thread, pacing);
  if (!thread.activityId || !cardBehind(thread)) return replyDue;
  const editDue = thread.editedAt ? Date.parse(thread.editedAt) + (pacing.cardEditIntervalMs ?? CARD_EDIT_INTERVAL_MS) : 0;
  return Math.min(replyDue, editDue);
}

/**
 * Only the card is brought up to date now: the delivery has a reply, its card exists, and the reply is not
 * due yet. A muted card pings nobody, so it goes whole at once (as does a silent edit in quiet hours: the
 * caller knows that one).
 */
export function editsOnly(replies: boolean, thread: CardThread | undefined, now: number, pacing: Pacing): boolean {
  if (!thread?.activityId || !replies || replyDueAt(thread, pacing) <= now) return false;
  return !(thread.mutedUntil !== null && Date.parse(thread.mutedUntil) > now);
}
