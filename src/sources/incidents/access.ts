// Customers Partner Center refuses to show us (403: no relationship, or GDAP roles that do not cover the
// incidents). A conversation that watches such a customer one by one is told once when access stops and
// once when it returns; "watch all" gets one list per round of the customers it leaves out. Nothing in
// between: a refusal is a state, not news on every round.
import type { State } from '../../store/state.js';
import { queueNotice } from '../notices.js';

const NAMES_IN_NOTICE = 10;

/**
 * Records a refused fetch; queues the notices it calls for. Returns how many were queued. `why`: what the
 * GDAP listing says of it (the last relationship expired; or the roles look fine and which ones are needed).
 */
export function accessRefused(state: State, customerId: string, name: string, now: Date, why: string | null = null): number {
  if (state.accessDenied[customerId]) return 0;
  const since = now.toISOString();
  state.accessDenied[customerId] = since;
  if (state.sweep.roundId && state.sweep.newlyDenied.length < 500) state.sweep.newlyDenied.push({ customerId, name });
  const text = why
    ? `Partner Center refused access to ${name} since ${utcTime(now)}: ${why} Its alerts resume when access returns.`
    : `Partner Center refused access to ${name} since ${utcTime(now)}: check the partner's GDAP roles and relationship for this customer. Its alerts resume when access returns.`;
  return queueToOwnWatchers(state, customerId, `denied|${customerId}|${since}`, text, now);
}

/** Records a successful fetch of a customer that was refused before; queues the notices it calls for. */
export function accessReturned(state: State, customerId: string, name: string, now: Date): number {
  const since = state.accessDenied[customerId];
  if (!since) return 0;
  delete state.accessDenied[customerId];
  const text = `Partner Center gives access to ${name} again; its alerts resume.`;
  return queueToOwnWatchers(state, customerId, `allowed|${customerId}|${since}`, text, now);
}

/** At the end of a round: one notice to every "watch all" conversation naming the customers left out. */
export function leftOutOfWatchAll(state: State, now: Date): number {
  const denied = state.sweep.newlyDenied;
  if (denied.length === 0) return 0;
  const names = denied.slice(0, NAMES_IN_NOTICE).map((customer) => customer.name);
  const more = denied.length > NAMES_IN_NOTICE ? ` and ${denied.length - NAMES_IN_NOTICE} more` : '';
  const count = denied.length === 1 ? '1 customer' : `${denied.length} customers`;
  const text = `Partner Center refuses access to ${count}, so “watch all” leaves ${denied.length === 1 ? 'it' : 'them'} out: ${names.join(', ')}${more}. Check the partner's relationship and GDAP roles; they are tried again every round and covered again as soon as access returns.`;
  let queued = 0;
  const targets = new Set(state.watches.filter((watch) => watch.kind === 'all' && state.targets[watch.targetKey]?.active).map((watch) => watch.targetKey));
  for (const targetKey of targets) queued += queueNotice(state, targetKey, `left-out|${state.sweep.roundId ?? ''}`, text, now);
  return queued;
}

function queueToOwnWatchers(state: State, customerId: string, what: string, text: string, now: Date): number {
  let queued = 0;
  for (const watch of state.watches) {
    if (watch.kind !== 'customer' || watch.customerId !== customerId || !state.targets[watch.targetKey]?.active) continue;
    queued += queueNotice(state, watch.targetKey, what, text, now);
  }
  return queued;
}

function utcTime(date: Date): string {
  return `${date.toISOString().slice(11, 16)} UTC`;
}
