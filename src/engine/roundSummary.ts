// The sentence a "poll now" gets back when its sweep round ends.
import type { CycleReport } from '../store/state.js';

const plural = (count: number, word: string) => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;

export function roundSummary(cycle: CycleReport): string {
  const customers = cycle.customersFetched + cycle.customersFailed.length + (cycle.customersRefused ?? 0);
  const orders = cycle.ordersFetched + cycle.ordersFailed.length;
  const minutes = Math.max(0, Date.parse(cycle.endedAt) - Date.parse(cycle.startedAt)) / 60_000;
  const took = minutes < 1 ? 'under a minute' : `${Math.round(minutes)} min`;
  const sources = Object.values(cycle.sources ?? {});
  const failed = cycle.customersFailed.length + cycle.ordersFailed.length + sources.reduce((sum, source) => sum + source.failed.length, 0);
  const failedNames = [...cycle.customersFailed, ...sources.flatMap((source) => source.failed)].slice(0, 3).map((failure) => failure.name);
  const others = sources.map((source) => `, ${plural(source.fetched + source.refused + source.failed.length, source.noun)}`).join('');
  return [
    `Check finished: ${plural(customers, 'customer')}${others} and ${plural(orders, 'order')} in ${took}.`,
    `${plural(cycle.events, 'change')} found, ${plural(cycle.deliveriesQueued, 'alert')} sent or on the way.`,
    cycle.customersRefused ? `${plural(cycle.customersRefused, 'customer')} refused access (Partner Center 403).` : '',
    failed > 0 ? `${failed} could not be checked (${failedNames.join(', ') || 'orders'}); they are tried again in the next round.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * Where a round's summary goes, as `sweep.summaryTo` keeps it: the conversation's key, or in a channel the
 * conversation id of the thread the "poll now" came from (`<channel>;messageid=<root>`), so the summary
 * answers in that thread instead of starting a new post.
 */
export function summaryAddress(targetKey: string, threadRoot: string | null): string {
  return threadRoot ? `${targetKey};messageid=${threadRoot}` : targetKey;
}

export function parseSummaryAddress(address: string): { targetKey: string; threadRoot: string | null } {
  const [targetKey = address, threadRoot] = address.split(';messageid=');
  return { targetKey, threadRoot: threadRoot || null };
}
