// Where subscription alerts meet the engine, as pure functions: the round's items (key `s|<customerId>`,
// once per customer however many watches, only when due at its moment of the period), the fast lane
// (never), and the route stage (threads of an episode, covering watches, merged replies, dedup).
import assert from 'node:assert/strict';
import type { Customer } from '../../../src/domain/types.js';
import type { Watch } from '../../../src/domain/watch.js';
import { fastLaneItems, roundItems, wantsListing } from '../../../src/engine/sweepPlan.js';
import { batchSourceList } from '../../../src/sources/source.js';
import { incidentSource } from '../../../src/sources/incidents/index.js';
import { provisioningSource } from '../../../src/sources/provisioning/index.js';
import { diffSubscriptions } from '../../../src/sources/subscriptions/diff.js';
import { pruneSubscriptions, subscriptionSource } from '../../../src/sources/subscriptions/index.js';
import type { SubscriptionEvent } from '../../../src/sources/subscriptions/model.js';
import { routeSubscriptionEvents } from '../../../src/sources/subscriptions/routing.js';
import { lastDueAt } from '../../../src/sources/spread.js';
import { emptyState, type State } from '../../../src/store/state.js';
import { customer, subscription, target, watch } from '../../support/samples.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const source = subscriptionSource({ pollMinutes: 60, warnDays: 30 });
const [c1, c2, c3] = [customer(1), customer(2), customer(3)];
const find = (id: string): Customer | undefined => [c1, c2, c3].find((c) => c.id === id);

function subsWatch(targetKey: string, customerId: string | null, extra: Partial<Watch> = {}): Watch {
  return watch({ id: `${targetKey}-${customerId}`, targetKey, kind: 'subscriptions', customerId, customerName: customerId ? (find(customerId)?.companyName ?? null) : null, ...extra });
}

function stateWith(watches: Watch[], targets = ['A', 'B']): State {
  return { ...emptyState(), targets: Object.fromEntries(targets.map((key) => [key, target(key)])), watches };
}

const batch = batchSourceList({ incidents: incidentSource(), provisioning: provisioningSource() });
const keys = (state: State, listing: Customer[] = [c1, c2, c3]) => roundItems(state, listing, find, [source], NOW, undefined, batch).map((item) => item.key);

describe('subscription items of a round', () => {
  it('fetches each watched customer once, with the key s|<customerId>, after the incident and order items', () => {
    const state = stateWith([
      subsWatch('A', c1.id),
      subsWatch('B', c1.id),
      subsWatch('B', null),
      watch({ targetKey: 'A', customerId: c2.id }),
    ]);
    assert.deepEqual(keys(state), [`c|${c2.id}`, `s|${c1.id}`, `s|${c2.id}`, `s|${c3.id}`]);
    assert.equal(wantsListing(state, [source]), true, '"watch subscriptions all" needs the listing');
    assert.equal(wantsListing(stateWith([subsWatch('A', c1.id)]), [source]), false);
  });

  it('fetches a customer once per SUBSCRIPTION_POLL_MINUTES, at its own moment of the period, and never leaves one a period old', () => {
    const state = stateWith([subsWatch('A', null)]);
    const at = (ms: number) => ({ fetchedAt: new Date(ms).toISOString(), subscriptions: [] });
    // Each customer's moment came last at lastDueAt(...): fetched since then, it is not due; fetched before, it is.
    const came = (c: Customer) => lastDueAt(`s|${c.id}`, 3_600_000, NOW);
    state.subscriptionSnapshots = { [c1.id]: at(came(c1) + 1), [c2.id]: at(came(c2) - 1), [c3.id]: at(NOW - 3_600_000) };
    assert.deepEqual(keys(state), [`s|${c2.id}`, `s|${c3.id}`]);
    // Fetched just now: nobody is due (every moment that has come came before that fetch).
    state.subscriptionSnapshots = { [c1.id]: at(NOW), [c2.id]: at(NOW), [c3.id]: at(NOW) };
    assert.deepEqual(keys(state), []);
  });

  it('ignores watches of conversations the bot may no longer post to, and never puts subscriptions in the fast lane', () => {
    const state = stateWith([subsWatch('A', c1.id), subsWatch('gone', null)], ['A']);
    assert.deepEqual(keys(state), [`s|${c1.id}`]);
    assert.deepEqual(fastLaneItems(state, NOW, 3_600_000, find, undefined, batch), []);
  });

  it('forgets snapshots no subscription watch covers, and episodes over for 30 days', () => {
    const state = stateWith([subsWatch('A', c1.id)]);
    const snapshot = { fetchedAt: new Date(NOW).toISOString(), subscriptions: [] };
    state.subscriptionSnapshots = { [c1.id]: snapshot, [c2.id]: snapshot };
    const old = { closedAt: '2026-10-01T00:00:00Z' } as State['subscriptionThreads'][string];
    const open = { closedAt: null } as State['subscriptionThreads'][string];
    state.subscriptionThreads = { old, open };
    pruneSubscriptions(state, new Date(NOW));
    assert.deepEqual(Object.keys(state.subscriptionSnapshots), [c1.id]);
    assert.deepEqual(Object.keys(state.subscriptionThreads), ['open']);
  });

  it('forgets, after 30 days without a change, an open episode of a conversation gone inactive or no longer watching its customer', () => {
    const state = stateWith([subsWatch('A', c1.id), subsWatch('B', null), subsWatch('C', c1.id), watch({ targetKey: 'A', customerId: c2.id })], ['A', 'B']);
    state.targets.C = target('C', false);
    const old = new Date(NOW - 31 * 86_400_000).toISOString();
    const recent = new Date(NOW - 29 * 86_400_000).toISOString();
    const open = (targetKey: string, customerId: string, updatedAt: string) => ({ targetKey, customerId, updatedAt, closedAt: null }) as State['subscriptionThreads'][string];
    state.subscriptionThreads = {
      watched: open('A', c1.id, old),
      underAll: open('B', c3.id, old),
      inactive: open('C', c1.id, old),
      inactiveRecent: open('C', c1.id, recent),
      targetGone: open('X', c1.id, old),
      unwatched: open('A', c2.id, old), // A watches c2's incidents, not its subscriptions
      unwatchedRecent: open('A', c2.id, recent),
    };
    pruneSubscriptions(state, new Date(NOW));
    assert.deepEqual(Object.keys(state.subscriptionThreads).sort(), ['inactiveRecent', 'underAll', 'unwatchedRecent', 'watched']);
  });
});

describe('routing subscription events', () => {
  const ctx = { now: new Date(NOW), customerName: (id: string) => find(id)?.companyName ?? id };
  const sub = subscription(1, { id: 'sub-1' });
  const events = (...fetches: ReturnType<typeof subscription>[][]): SubscriptionEvent[][] => {
    let snapshot = diffSubscriptions(c1.id, undefined, [sub], new Date(NOW - 86_400_000).toISOString()).snapshot;
    return fetches.map((list, i) => {
      const diff = diffSubscriptions(c1.id, snapshot, list, new Date(NOW + i * 60_000).toISOString());
      snapshot = diff.snapshot;
      return diff.events;
    });
  };

  it('opens one thread per conversation for news its watch covers; later changes edit it with a reply', () => {
    const state = stateWith([subsWatch('A', c1.id), subsWatch('B', null, { minSeverity: 'critical' })]);
    const [suspended = [], attention = [], recovered = []] = events(
      [{ ...sub, status: 'suspended' }],
      [{ ...sub, status: 'suspended', attentionNeeded: true }],
      [sub],
    );
    assert.equal(routeSubscriptionEvents(state, suspended, ctx), 2);
    assert.deepEqual(state.outbox.map((d) => d.targetKey), ['A', 'B']);
    assert.ok(state.outbox.every((d) => d.kind === 'subscription' && d.note === null), 'a new card needs no reply');
    state.outbox = []; // both sent

    // A warning: B (critical and worse) has the episode's card, so it hears of it anyway.
    assert.equal(routeSubscriptionEvents(state, attention, ctx), 2);
    assert.deepEqual(state.outbox.map((d) => (d.kind === 'subscription' ? d.note : null)), [['Needs attention.'], ['Needs attention.']]);
    // Not sent yet: the recovery is merged into the same replies.
    assert.equal(routeSubscriptionEvents(state, recovered, ctx), 0);
    assert.deepEqual(state.outbox.map((d) => (d.kind === 'subscription' ? d.note : null)), [
      ['Needs attention.', 'Active again.', 'No longer needs attention.'],
      ['Needs attention.', 'Active again.', 'No longer needs attention.'],
    ]);
    const threads = Object.values(state.subscriptionThreads);
    assert.equal(threads.length, 2);
    assert.ok(threads.every((thread) => thread.closedAt !== null && thread.severity === 'critical'));
  });

  it('starts no card with a recovery, and queues a delivery only once (outbox, then delivery log)', () => {
    const state = stateWith([subsWatch('A', c1.id)]);
    const [suspended = [], recovered = []] = events([{ ...sub, status: 'suspended' }], [sub]);
    assert.equal(routeSubscriptionEvents(state, recovered, ctx), 0, 'nobody saw it begin');
    assert.equal(routeSubscriptionEvents(state, suspended, ctx), 1);
    assert.equal(routeSubscriptionEvents(state, suspended, ctx), 0, 'already queued');
    const [delivery] = state.outbox;
    state.outbox = [];
    state.deliveryLog[delivery?.id ?? ''] = new Date(NOW).toISOString();
    assert.equal(routeSubscriptionEvents(state, suspended, ctx), 0, 'already sent');
  });

  it('does not merge into a delivery being sent: the change gets its own', () => {
    const state = stateWith([subsWatch('A', c1.id)]);
    const [suspended = [], attention = []] = events([{ ...sub, status: 'suspended' }], [{ ...sub, status: 'suspended', attentionNeeded: true }]);
    routeSubscriptionEvents(state, suspended, ctx);
    const inFlight = new Set(state.outbox.map((d) => d.id));
    assert.equal(routeSubscriptionEvents(state, attention, { ...ctx, inFlight }), 1);
    assert.equal(state.outbox.length, 2);
  });
});
