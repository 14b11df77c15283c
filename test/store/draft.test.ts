// The copy-on-write draft both stores run changes on: a change sees its own writes, the published state
// does not until publish, and publish applies exactly what was written, in place.
import assert from 'node:assert/strict';
import { changedKeys, draftGroup, finished, publish, untouched } from '../../src/store/draft.js';
import { emptyState, type State } from '../../src/store/state.js';
import { fill } from '../support/sampleState.js';

function published(): State {
  const state = emptyState();
  fill(state);
  return state;
}

describe('the copy-on-write draft of the state', () => {
  it('shows a change its own writes, keeps the published state as it was, and publishes them in place', () => {
    const live = published();
    const before = JSON.stringify(live);
    const thread = live.threads['t1|EX1'];
    const { draft, results } = draftGroup(live, [
      (state) => {
        const card = state.threads['t1|EX1'];
        assert.ok(card);
        card.customers.c9 = { name: 'Added', resolved: false, vanished: false };
        card.acknowledgedBy = 'Ana';
        delete state.targets.t2;
        state.watches.push({ ...state.watches[0]!, id: 'w9' });
        state.outbox = state.outbox.filter((delivery) => delivery.id !== 'd1');
        state.deliveryLog.d1 = '2026-12-07T10:00:00.000Z';
        return { keys: Object.keys(state.targets), customers: Object.keys(card.customers).length };
      },
      (state) => [state.threads['t1|EX1']?.acknowledgedBy, state.watches.length, state.outbox.map((d) => d.id)],
    ]);
    assert.deepEqual(results.map((result) => result.ok && result.value), [
      { keys: ['t1'], customers: Object.keys(thread?.customers ?? {}).length + 1 },
      ['Ana', live.watches.length + 1, live.outbox.filter((d) => d.id !== 'd1').map((d) => d.id)],
    ]);
    assert.equal(JSON.stringify(live), before, 'nothing published yet');

    const written = JSON.parse(JSON.stringify(finished(draft))) as State;
    assert.equal(written.threads['t1|EX1']?.customers.c9?.name, 'Added');
    assert.equal(JSON.stringify(live), before, 'making the draft final changes nothing published either');

    publish(draft);
    assert.deepEqual(JSON.parse(JSON.stringify(live)), written, 'what is published is what was written');
    assert.equal(live.threads['t1|EX1'], thread, 'in place: the card is the same object, now with its writes');
    assert.equal(live.targets.t2, undefined);
  });

  it('knows what a group left alone and which keys of a map it wrote', () => {
    const live = published();
    const customers = live.threads['t1|EX1']?.customers ?? {};
    for (const id of ['c7', 'c8']) customers[id] = { name: id, resolved: false, vanished: false };
    const { draft } = draftGroup(live, [
      (state) => {
        const card = state.threads['t1|EX1'];
        assert.ok(card);
        void Object.values(card.customers).map((customer) => customer.name); // read every customer
        const first = Object.keys(card.customers)[0] as string;
        const customer = card.customers[first];
        if (customer) customer.resolved = true;
        delete card.customers[Object.keys(card.customers)[1] as string];
        void state.targets.t1?.name;
      },
    ]);
    const ids = Object.keys(live.threads['t1|EX1']?.customers ?? {});
    assert.deepEqual(changedKeys(draft.threads['t1|EX1']?.customers), { written: [ids[0]], deleted: [ids[1]] });
    assert.equal(untouched(draft.targets.t1), true, 'read only');
    assert.equal(untouched(draft.threads['t1|EX1']), false);
  });

  it('runs a group again without a change that threw halfway, so none of that change is kept', () => {
    const live = published();
    const { draft, results } = draftGroup(live, [
      (state) => void (state.orderCustomers.first = 'c1'),
      (state) => {
        state.orderCustomers.half = 'made';
        throw new Error('routing failed halfway');
      },
      (state) => Object.keys(state.orderCustomers).includes('half'),
    ]);
    assert.deepEqual(results.map((result) => result.ok), [true, false, true]);
    assert.equal(results[2]?.ok && results[2].value, false, 'the last change never saw the half-made one');
    publish(draft);
    assert.equal(live.orderCustomers.first, 'c1');
    assert.equal(live.orderCustomers.half, undefined);
  });

  it('returns what a change hands back as plain data, with its writes, and usable after the group', () => {
    const live = published();
    const { draft, results } = draftGroup(live, [
      (state) => {
        const target = state.targets.t1;
        assert.ok(target);
        target.name = 'Renamed';
        return { target, list: [state.watches[0]] };
      },
    ]);
    const value = (results[0]?.ok ? results[0].value : null) as { target: { name: string }; list: { id: string }[] };
    assert.equal(value.target.name, 'Renamed');
    assert.equal(structuredClone(value).list[0]?.id, live.watches[0]?.id, 'no proxy in it: it can be cloned');
    assert.notEqual(live.targets.t1?.name, 'Renamed');
    publish(draft);
    assert.equal(live.targets.t1?.name, 'Renamed');
  });
});
