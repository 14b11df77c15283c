// The subscription source's digest section: "Subscriptions needing attention" lists the subscriptions in
// trouble of the customers a conversation watches the subscriptions of, through the source hook, in the
// digest built by the engine (on demand and by the scheduler) and on its card.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { digestCard, VERBS } from '../../../src/cards.js';
import type { Subscription } from '../../../src/domain/types.js';
import { buildDigest } from '../../../src/engine/digest.js';
import { DigestScheduler } from '../../../src/engine/digestScheduler.js';
import { diffSubscriptions } from '../../../src/sources/subscriptions/diff.js';
import { SUBSCRIPTION_ROWS } from '../../../src/sources/subscriptions/digestSection.js';
import { subscriptionSource } from '../../../src/sources/subscriptions/index.js';
import { emptySchedule, emptyState, type State, type SummaryDelivery } from '../../../src/store/state.js';
import { allText, assertGoodCard } from '../../support/cardChecks.js';
import { MemoryStore } from '../../support/memoryStore.js';
import { customer, subscription, target, watch } from '../../support/samples.js';
import { incidentSource } from '../../../src/sources/incidents/index.js';
import { provisioningSource } from '../../../src/sources/provisioning/index.js';
const batchSources = { incidents: incidentSource(), provisioning: provisioningSource() };

const NOW = new Date('2026-03-03T07:00:00Z');
const CONTOSO = customer(1, { companyName: 'Contoso' });
const FABRIKAM = customer(2, { companyName: 'Fabrikam' });
const source = subscriptionSource();

function withSubscriptions(state: State, customerId: string, subscriptions: Subscription[]): void {
  state.subscriptionSnapshots[customerId] = diffSubscriptions(customerId, undefined, subscriptions, NOW.toISOString(), source.settings).snapshot;
}

/** A watches the subscriptions of every customer (two suspended, one ending, one healthy); B watches Contoso's incidents only. */
function sampleState(): State {
  const state = emptyState();
  state.targets = { A: target('A'), B: target('B') };
  state.watches = [
    watch({ id: 'w1', kind: 'subscriptions', customerId: null, customerName: null }),
    watch({ id: 'w2', targetKey: 'B', customerId: CONTOSO.id, customerName: 'Contoso' }),
  ];
  withSubscriptions(state, CONTOSO.id, [
    subscription(1, { friendlyName: 'Contoso E3', status: 'suspended' }),
    subscription(2, { friendlyName: 'Contoso Intune' }),
    subscription(3, { friendlyName: 'Contoso Visio', autoRenewEnabled: false, commitmentEndDate: '2026-03-08T00:00:00Z' }),
    subscription(5, { friendlyName: 'Contoso Gone', status: 'deleted' }), // gone: nothing left to do
  ]);
  withSubscriptions(state, FABRIKAM.id, [subscription(4, { friendlyName: 'Fabrikam Premium', status: 'suspended', quantity: 120 })]);
  return state;
}

const names = (id: string) => ({ [CONTOSO.id]: 'Contoso', [FABRIKAM.id]: 'Fabrikam' })[id];
const digestOf = (state: State, targetKey = 'A') =>
  buildDigest(state, targetKey, { batchSources, now: NOW, timeZone: 'UTC', since: null, dueAt: null, late: false, customerName: names, sources: [source] });

describe('digest section of the subscription source', () => {
  it('lists the watched customers\' suspended and ending subscriptions, most severe first, each opening the customer\'s subscriptions', () => {
    const report = digestOf(sampleState());
    assert.equal(report.sections?.length, 1);
    const section = report.sections?.[0];
    assert.equal(section?.heading, 'Subscriptions needing attention');
    assert.deepEqual(section?.items.map((row) => [row.badge, row.title]), [
      ['Suspended', 'Contoso E3 · Contoso'],
      ['Suspended', 'Fabrikam Premium · Fabrikam'],
      ['Ending soon', 'Contoso Visio · Contoso'],
    ]);
    assert.match(section?.items[2]?.detail ?? '', /term ends 8 Mar \(in 5 days\), will not renew/);
    assert.deepEqual(section?.items[1]?.open, { title: 'Subscriptions', verb: VERBS.subscriptions, data: { customerId: FABRIKAM.id, filter: 'attention', page: 1 } });

    const card = digestCard({ report });
    assertGoodCard(card);
    assert.match(allText(card), /Subscriptions needing attention \(3\)[\s\S]*Fabrikam Premium · Fabrikam[\s\S]*120 licen[cs]es/);
  });

  it('follows the watch: one customer, a minimum severity, none at all', () => {
    const state = sampleState();
    state.watches[0] = watch({ id: 'w1', kind: 'subscriptions', customerId: FABRIKAM.id, customerName: 'Fabrikam' });
    assert.deepEqual(digestOf(state).sections?.[0]?.items.map((row) => row.title), ['Fabrikam Premium · Fabrikam']);
    state.watches[0] = watch({ id: 'w1', kind: 'subscriptions', customerId: null, customerName: null, minSeverity: 'critical' });
    assert.equal(digestOf(state).sections?.[0]?.items.length, 2, 'the ending term (warning) is below the watch\'s severity');
    state.watches[0] = watch({ id: 'w1', kind: 'subscriptions', customerId: null, customerName: null, excluded: [{ customerId: CONTOSO.id, name: 'Contoso' }] });
    assert.deepEqual(digestOf(state).sections?.[0]?.items.map((row) => row.title), ['Fabrikam Premium · Fabrikam'], 'an excluded customer is left out');
    assert.deepEqual(digestOf(state, 'B').sections, [], 'no subscription watch, no section');
    assert.match(allText(digestCard({ report: digestOf(state, 'B') })), /^Digest for .*: nothing to report/);
  });

  it('keeps its section short and counts the rest', () => {
    const state = sampleState();
    withSubscriptions(state, FABRIKAM.id, Array.from({ length: 25 }, (_, n) => subscription(100 + n, { status: 'expired' })));
    const section = digestOf(state).sections?.[0];
    assert.equal(section?.items.length, SUBSCRIPTION_ROWS);
    assert.equal(section?.more, 25 + 2 - SUBSCRIPTION_ROWS);
    assert.match(allText(digestCard({ report: digestOf(state) })), /Subscriptions needing attention \(27\)[\s\S]*and 17 more/);
  });

  it('is in the digest the scheduler queues', async () => {
    const state = sampleState();
    state.targets.A = { ...target('A'), schedule: { ...emptySchedule(), digest: { days: 'daily', time: '08:00', timeZone: 'UTC', setBy: 'Ana', setAt: '2026-03-01T00:00:00Z' } } };
    const store = new MemoryStore(state);
    const clock = { now: () => NOW.getTime(), sleep: async () => undefined };
    const scheduler = new DigestScheduler({ batchSources, store, clock, log: pino({ level: 'silent' }), onQueued: () => undefined, sources: [source] });
    await scheduler.tick(Date.parse('2026-03-03T08:00:00Z'));
    const queued = store.state.outbox.find((delivery): delivery is SummaryDelivery => delivery.kind === 'summary');
    assert.equal(queued?.report.sections?.[0]?.items.length, 3);
  });
});
