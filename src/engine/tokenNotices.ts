// The stored Partner Center refresh token about to lapse unused, or refused: every conversation that watches
// anything is told once per token and condition (the notice id names both), with what to do. The condition
// itself comes from partnerCenter/tokenStatus.ts; nothing here fails request by request.
import type { TxPorts } from '../store/ports/index.js';
import { queueNoticeTo } from '../sources/notices.js';

export type TokenTrouble = 'expiring' | 'refused';

/** Queues the notice for every active conversation with a watch. Returns how many were queued. */
export function tokenNotice(tx: Pick<TxPorts, 'partnerCenterToken' | 'watches' | 'conversations' | 'outbox' | 'deliveryLog'>, trouble: TokenTrouble, detail: string, now: Date): number {
  // The token's last use identifies it: a new consent (or a rotation) makes a new episode, a repeat does not.
  const token = tx.partnerCenterToken.usedAt() ?? 'unknown';
  const text =
    trouble === 'refused'
      ? `${detail} Partner Alerts cannot read Partner Center for you until an admin agent signs in again: run \`npm run connect-partner-center\` where Partner Alerts runs.`
      : `${detail} Before then, have an admin agent run \`npm run connect-partner-center\` where Partner Alerts runs, or Partner Center access stops.`;
  const watching = new Set(tx.watches.all().filter((watch) => tx.conversations.get(watch.targetKey)?.active).map((watch) => watch.targetKey));
  let queued = 0;
  for (const targetKey of watching) queued += queueNoticeTo(tx, targetKey, `token-${trouble}|${token}`, text, now);
  return queued;
}
