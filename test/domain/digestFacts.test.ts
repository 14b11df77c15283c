// A snapshot's facts say whether a digest may show it (domain/digestFacts.ts): the digest loads only the
// snapshots whose facts are active or end within the warning window, so every one a section would show
// must be among them — checked here against the sections themselves, for every kind of print.
import assert from 'node:assert/strict';
import { endsByDay } from '../../src/domain/digestFacts.js';
import { accessDigestSection } from '../../src/sources/access/digestSection.js';
import { subscriptionDigestSection } from '../../src/sources/subscriptions/digestSection.js';
import { factsOf, type SnapshotFacts } from '../../src/store/paged.js';
import { emptyState, type State } from '../../src/store/state.js';
import { DIGEST_TIMES, printLists, RELATIONSHIP_PRINTS, SUBSCRIPTION_PRINTS, WARN_DAYS } from '../support/attentionCases.js';
import { target, watch } from '../support/samples.js';

/** What the digest at `now` loads by these facts (besides what changed since it, or is named). */
const loaded = (facts: SnapshotFacts, now: Date) => facts.active || (facts.endsOn !== undefined && facts.endsOn <= endsByDay(now, WARN_DAYS));

function watching(kind: 'subscriptions' | 'access'): State {
  const state = emptyState();
  state.targets.A = target('A');
  state.watches.push(watch({ kind, customerId: null, customerName: null }));
  return state;
}

describe('snapshot facts for the digest', () => {
  it('every subscription snapshot the digest section shows is loaded by its facts; one in no trouble and none ending soon is not', () => {
    const state = watching('subscriptions');
    let shown = 0;
    let skipped = 0;
    for (const subscriptions of printLists(SUBSCRIPTION_PRINTS, 97)) {
      state.subscriptionSnapshots = { c: { fetchedAt: '2026-03-01T00:00:00.000Z', subscriptions } };
      const facts = factsOf(state.subscriptionSnapshots.c);
      for (const now of DIGEST_TIMES) {
        const rows = subscriptionDigestSection(state, 'A', { now }, { warnDays: WARN_DAYS })?.items.length ?? 0;
        if (rows > 0) shown++;
        else if (!loaded(facts, now)) skipped++;
        if (rows > 0) assert.ok(loaded(facts, now), `shown at ${now.toISOString()} yet not loaded: ${JSON.stringify(subscriptions)} → ${JSON.stringify(facts)}`);
      }
    }
    assert.ok(shown > 1000 && skipped > 1000, `both kinds are there (${shown} shown, ${skipped} left unloaded)`);
  });

  it('a subscription: active while in trouble, endsOn its earliest term end without renewal', () => {
    const at = '2026-03-01T00:00:00.000Z';
    const facts = (...subscriptions: (typeof SUBSCRIPTION_PRINTS)[number][]) => factsOf({ fetchedAt: at, subscriptions });
    const print = { id: 's', name: 'E3', quantity: 1, status: 'active' as const };
    assert.deepEqual(facts(print, { ...print, endDay: '2026-05-01', autoRenew: true }), { fetchedAt: at, changedAt: null, active: false });
    assert.deepEqual(facts({ ...print, status: 'suspended' }), { fetchedAt: at, changedAt: null, active: true });
    assert.deepEqual(facts({ ...print, status: 'deleted' }, { ...print, attention: true, goneAt: at }), { fetchedAt: at, changedAt: null, active: false }, 'gone: nothing to show');
    assert.deepEqual(facts({ ...print, endDay: '2026-09-30' }, { ...print, endDay: '2026-05-01' }), { fetchedAt: at, changedAt: null, active: false, endsOn: '2026-05-01' });
    assert.deepEqual(facts({ ...print, endDay: 'soon' }), { fetchedAt: at, changedAt: null, active: true }, 'an end day it cannot read is loaded always');
  });

  it('every GDAP access snapshot the digest section shows is loaded by its facts; one that auto-extends is not', () => {
    let shown = 0;
    let skipped = 0;
    const state = watching('access');
    for (const relationships of printLists(RELATIONSHIP_PRINTS, 7)) {
      const snapshot = { customerId: 'c', customerName: 'Contoso', relationships };
      const facts = factsOf(snapshot);
      for (const now of DIGEST_TIMES) {
        const rows = accessDigestSection(state, 'A', { now }, { warnDays: WARN_DAYS }, { c: snapshot })?.items.length ?? 0;
        if (rows > 0) shown++;
        else if (!loaded(facts, now)) skipped++;
        if (rows > 0) assert.ok(loaded(facts, now), `shown at ${now.toISOString()} yet not loaded: ${JSON.stringify(relationships)} → ${JSON.stringify(facts)}`);
      }
    }
    assert.ok(shown > 1000 && skipped > 1000, `both kinds are there (${shown} shown, ${skipped} left unloaded)`);
    const relationship = { id: 'r', name: 'Support', roles: [], status: 'active' };
    assert.deepEqual(factsOf({ customerId: 'c', customerName: 'C', relationships: [{ ...relationship, endDay: '2026-04-01', autoExtend: true }] }), { fetchedAt: null, changedAt: null, active: false });
    assert.deepEqual(factsOf({ customerId: 'c', customerName: 'C', relationships: [{ ...relationship, endDay: '2026-04-01' }] }), { fetchedAt: null, changedAt: null, active: false, endsOn: '2026-04-01' });
    assert.deepEqual(factsOf({ customerId: 'c', customerName: 'C', relationships: [{ ...relationship, status: 'terminated' }] }), { fetchedAt: null, changedAt: null, active: true }, 'lost');
  });

  it('an incident snapshot stays active while an incident is unresolved (what the fast lane goes by), with no end day', () => {
    const print = { severity: 'warning' as const, status: 'warning', messageCount: 1, lastMessageAt: '2026-03-01T00:00:00.000Z' };
    assert.deepEqual(factsOf({ fetchedAt: 'x', incidents: { A: { ...print, resolved: true }, B: { ...print, resolved: false } } }), { fetchedAt: 'x', changedAt: null, active: true });
    assert.deepEqual(factsOf({ fetchedAt: 'x', incidents: { A: { ...print, resolved: true } } }), { fetchedAt: 'x', changedAt: null, active: false });
  });
});
