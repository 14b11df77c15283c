// Customers Partner Center refuses to show us (403: no relationship, or GDAP roles that do not cover the
// incidents). A conversation that watches such a customer one by one is told once when access stops and
// once when it returns; "watch all" gets one list per round of the customers it leaves out. Nothing in
// between: a refusal is a state, not news on every round.
import type { TxPorts } from '../../store/ports/index.js';
import { queueNoticeTo } from '../notices.js';

/** What a refusal and its notices read and write. */
export type RefusalPorts = Pick<TxPorts, 'accessRefusals' | 'sweep' | 'watches' | 'conversations' | 'outbox' | 'deliveryLog'>;

const NAMES_IN_NOTICE = 10;

/**
 * Records a refused fetch; queues the notices it calls for. Returns how many were queued. `why`: what the
 * GDAP listing says of it (the last relationship expired; or the roles look fine and which ones are needed).
 */
export function accessRefused(tx: RefusalPorts, customerId: string, name: string, now: Date, why: string | null = null): number {
  if (tx.accessRefusals.since(customerId)) return 0;
  const since = now.toISOString();
  tx.accessRefusals.refuse(customerId, since);
  const sweep = tx.sweep.position();
  if (sweep.roundId && sweep.newlyDenied.length < 500) sweep.newlyDenied.push({ customerId, name });
  const text = why
    ? `Partner Center refused access to ${name} since ${utcTime(now)}: ${why} Its alerts resume when access returns.`
    : `Partner Center refused access to ${name} since ${utcTime(now)}: check the partner's GDAP roles and relationship for this customer. Its alerts resume when access returns.`;
  return queueToOwnWatchers(tx, customerId, `denied|${customerId}|${since}`, text, now);
}

/** Records a successful fetch of a customer that was refused before; queues the notices it calls for. */
export function accessReturned(tx: RefusalPorts, customerId: string, name: string, now: Date): number {
  const since = tx.accessRefusals.since(customerId);
  if (!since) return 0;
  tx.accessRefusals.allow(customerId);
  const text = `Partner Center gives access to ${name} again; its alerts resume.`;
  return queueToOwnWatchers(tx, customerId, `allowed|${customerId}|${since}`, text, now);
}

/** At the end of a round: one notice to every "watch all" conversation naming the customers left out. */
export function leftOutOfWatchAll(tx: RefusalPorts, now: Date): number {
  const { newlyDenied: denied, roundId } = tx.sweep.position();
  if (denied.length === 0) return 0;
  const names = denied.slice(0, NAMES_IN_NOTICE).map((customer) => customer.name);
  const more = denied.length > NAMES_IN_NOTICE ? ` and ${denied.length - NAMES_IN_NOTICE} more` : '';
  const count = denied.length === 1 ? '1 customer' : `${denied.length} customers`;
  const text = `Partner Center refuses access to ${count}, so “watch all” leaves ${denied.length === 1 ? 'it' : 'them'} out: ${names.join(', ')}${more}. Check the partner's relationship and GDAP roles; they are tried again every round and covered again as soon as access returns.`;
  let queued = 0;
  const targets = new Set(tx.watches.all().filter((watch) => watch.kind === 'all' && tx.conversations.get(watch.targetKey)?.active).map((watch) => watch.targetKey));
  for (const targetKey of targets) queued += queueNoticeTo(tx, targetKey, `left-out|${roundId ?? ''}`, text, now);
  return queued;
}

function queueToOwnWatchers(tx: RefusalPorts, customerId: string, what: string, text: string, now: Date): number {
  let queued = 0;
  for (const watch of tx.watches.forCustomer(customerId)) {
    if (watch.kind !== 'customer' || !tx.conversations.get(watch.targetKey)?.active) continue;
    queued += queueNoticeTo(tx, watch.targetKey, what, text, now);
  }
  return queued;
}

function utcTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}
