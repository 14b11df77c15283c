// The subscription diff, rule by rule: baseline, status, attention, the end of a term (with its date
// edges and time zones), quantity, new and cancelled subscriptions, trials, episodes and event ids.
import assert from 'node:assert/strict';
import { subscriptionSchema } from '../../../src/partnerCenter/wire.js';
import { daysLeft, formatDay, utcDay } from '../../../src/sources/subscriptions/dates.js';
import { diffSubscriptions, dueWarning, warningThresholds } from '../../../src/sources/subscriptions/diff.js';
import { findPrint, type SubscriptionEvent, type SubscriptionSnapshot } from '../../../src/sources/subscriptions/model.js';
import type { Subscription } from '../../../src/domain/types.js';
import { subscription } from '../../support/samples.js';

const DAY = 86_400_000;
const T0 = '2026-11-14T09:00:00.000Z';
const at = (days: number, from = T0) => new Date(Date.parse(from) + days * DAY).toISOString();

/** Microsoft 365 E3 for 120 licenses, ending 14 Dec 2026, auto-renewing: healthy. */
function e3(overrides: Partial<Subscription> = {}): Subscription {
  return subscription(1, {
    id: 'sub-e3',
    offerName: 'Microsoft 365 E3',
    friendlyName: 'Microsoft 365 E3',
    quantity: 120,
    commitmentEndDate: '2026-12-14T00:00:00Z',
    autoRenewEnabled: true,
    ...overrides,
  });
}

/** Fetches in order (the first one the baseline), returning each diff's events and the last snapshot. */
function fetches(...steps: { at: string; subscriptions: Subscription[]; warnDays?: number }[]) {
  let snapshot: SubscriptionSnapshot | undefined;
  const events: SubscriptionEvent[][] = [];
  for (const step of steps) {
    const diff = diffSubscriptions('c1', snapshot, step.subscriptions, step.at, { warnDays: step.warnDays ?? 30 });
    events.push(diff.events);
    snapshot = diff.snapshot;
  }
  return { events, snapshot: snapshot as SubscriptionSnapshot };
}

const kinds = (events: SubscriptionEvent[]) => events.map((event) => event.changes.map((change) => change.kind).join('+'));

describe('subscription diff', () => {
  describe('baseline', () => {
    it('raises nothing for what already is, and opens the episode of a subscription already in trouble', () => {
      const { events, snapshot } = fetches({ at: T0, subscriptions: [e3(), e3({ id: 'sub-x', status: 'suspended' })] });
      assert.deepEqual(events, [[]]);
      assert.equal(findPrint(snapshot, 'sub-e3')?.open, undefined);
      assert.equal(findPrint(snapshot, 'sub-x')?.episode, 1);
      assert.equal(findPrint(snapshot, 'sub-x')?.open, true);
    });

    it('records a term already inside the window as warned: no 30-day warning later, the 7-day one still', () => {
      const ending = e3({ autoRenewEnabled: false });
      const { events, snapshot } = fetches(
        { at: T0, subscriptions: [ending] }, // 30 days left: the 30-day warning counts as given
        { at: at(10), subscriptions: [ending] }, // 20 days
        { at: at(23), subscriptions: [ending] }, // 7 days
      );
      assert.deepEqual(events.map(kinds), [[], [], ['ending']]);
      assert.equal(events[2]?.[0]?.severity, 'warning');
      assert.equal(findPrint(snapshot, 'sub-e3')?.warned, 7);
    });

    it('at 5 days left records the 7-day warning too: the next one is the 1-day warning', () => {
      const ending = e3({ autoRenewEnabled: false });
      const { events } = fetches({ at: at(25), subscriptions: [ending] }, { at: at(27), subscriptions: [ending] }, { at: at(29), subscriptions: [ending] });
      assert.deepEqual(events.map(kinds), [[], [], ['ending']]);
      assert.match(events[2]?.[0]?.changes[0]?.text ?? '', /^The term ends tomorrow \(14 Dec\) and will not renew\.$/);
    });
  });

  describe('status', () => {
    for (const status of ['suspended', 'expired', 'disabled', 'deleted'] as const) {
      it(`alerts ${status} as critical`, () => {
        const { events } = fetches({ at: T0, subscriptions: [e3()] }, { at: at(1), subscriptions: [e3({ status })] });
        assert.deepEqual(kinds(events[1] ?? []), ['problem']);
        assert.equal(events[1]?.[0]?.severity, 'critical');
        assert.equal(events[1]?.[0]?.closes, false);
      });
    }

    it('says the suspension reasons, and "Active again" in the same episode, which it ends', () => {
      const { events, snapshot } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(1), subscriptions: [e3({ status: 'suspended', suspensionReasons: ['CreditCheck', 'Fraud'] })] },
        { at: at(2), subscriptions: [e3()] },
      );
      const [suspended] = events[1] ?? [];
      const [recovered] = events[2] ?? [];
      assert.equal(suspended?.changes[0]?.text, 'Suspended (CreditCheck, Fraud).');
      assert.equal(recovered?.changes[0]?.text, 'Active again.');
      assert.equal(recovered?.changes[0]?.recovery, true);
      assert.equal(recovered?.severity, 'information');
      assert.equal(suspended?.episode, 1);
      assert.equal(recovered?.episode, 1);
      assert.equal(recovered?.closes, true);
      assert.equal(findPrint(snapshot, 'sub-e3')?.open, undefined);
    });

    it('starts a new episode, with new ids, when the problem comes back after recovery', () => {
      const { events } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(1), subscriptions: [e3({ status: 'suspended' })] },
        { at: at(2), subscriptions: [e3()] },
        { at: at(3), subscriptions: [e3({ status: 'suspended' })] },
      );
      const first = events[1]?.[0];
      const again = events[3]?.[0];
      assert.equal(again?.episode, 2);
      assert.notEqual(again?.id, first?.id);
      assert.match(again?.id ?? '', /\|e2\|/);
    });

    it('follows suspended → deleted as the same critical episode', () => {
      const { events } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(1), subscriptions: [e3({ status: 'suspended' })] },
        { at: at(2), subscriptions: [e3({ status: 'deleted' })] },
      );
      assert.equal(events[2]?.[0]?.changes[0]?.text, 'Status suspended → deleted.');
      assert.equal(events[2]?.[0]?.severity, 'critical');
      assert.equal(events[2]?.[0]?.episode, 1);
    });

    it('does not alert provisioning (pending → active)', () => {
      const { events } = fetches({ at: T0, subscriptions: [e3({ status: 'pending' })] }, { at: at(1), subscriptions: [e3()] });
      assert.deepEqual(events[1], []);
    });

    it('reports the recovery of a problem that was there at the baseline as a recovery, not as news', () => {
      // Routing sends it only to conversations that have the episode's card (or saw it when they began to watch).
      const { events } = fetches({ at: T0, subscriptions: [e3({ status: 'suspended' })] }, { at: at(1), subscriptions: [e3()] });
      assert.deepEqual(kinds(events[1] ?? []), ['recovered']);
      assert.equal(events[1]?.[0]?.news, false, 'a recovery is not news: it opens no card');
    });
  });

  describe('attention', () => {
    it('alerts attention needed as a warning with its reason, and its end', () => {
      const { events } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(1), subscriptions: [e3({ attentionNeeded: true, attentionReason: 'Payment method expired' })] },
        { at: at(2), subscriptions: [e3()] },
      );
      assert.equal(events[1]?.[0]?.changes[0]?.text, 'Needs attention: Payment method expired.');
      assert.equal(events[1]?.[0]?.severity, 'warning');
      assert.deepEqual(kinds(events[2] ?? []), ['attentionCleared']);
      assert.equal(events[2]?.[0]?.closes, true);
    });
  });

  describe('the end of a term without auto-renew', () => {
    const ending = e3({ autoRenewEnabled: false });

    it('warns at 30 days (information), 7 and 1 (warning), each once, in one episode', () => {
      const { events } = fetches(
        { at: at(-10), subscriptions: [ending] }, // 40 days left: outside the window
        { at: at(-1), subscriptions: [ending] }, // 31
        { at: T0, subscriptions: [ending] }, // 30
        { at: at(10), subscriptions: [ending] }, // 20
        { at: at(22), subscriptions: [ending] }, // 8
        { at: at(23), subscriptions: [ending] }, // 7
        { at: at(28), subscriptions: [ending] }, // 2
        { at: at(29), subscriptions: [ending] }, // 1
        { at: at(30), subscriptions: [ending] }, // 0
      );
      assert.deepEqual(events.map(kinds), [[], [], ['ending'], [], [], ['ending'], [], ['ending'], []]);
      const [thirty, seven, one] = [events[2]?.[0], events[5]?.[0], events[7]?.[0]];
      assert.equal(thirty?.severity, 'information');
      assert.equal(thirty?.changes[0]?.text, 'The term ends in 30 days (14 Dec) and will not renew.');
      assert.equal(seven?.severity, 'warning');
      assert.equal(one?.severity, 'warning');
      assert.deepEqual([thirty?.episode, seven?.episode, one?.episode], [1, 1, 1]);
      assert.equal(new Set([thirty?.id, seven?.id, one?.id]).size, 3);
    });

    it('says nothing while auto-renew is on, and warns when it is turned off inside the window', () => {
      const { events } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(20), subscriptions: [e3()] },
        { at: at(21), subscriptions: [ending] }, // 9 days left: the 30-day warning is due
      );
      assert.deepEqual(events.map(kinds), [[], [], ['ending']]);
      assert.equal(events[2]?.[0]?.severity, 'information');
    });

    it('a renewed term (a later commitmentEndDate) ends the episode and starts the warnings afresh', () => {
      const renewed = e3({ autoRenewEnabled: false, commitmentEndDate: '2027-01-13T00:00:00Z' });
      const { events, snapshot } = fetches(
        { at: at(-5), subscriptions: [ending] },
        { at: T0, subscriptions: [ending] }, // 30-day warning
        { at: at(1), subscriptions: [renewed] }, // 60 days left
        { at: at(30), subscriptions: [renewed] }, // 30 days left in the new term
      );
      assert.deepEqual(events.map(kinds), [[], ['ending'], ['renewed'], ['ending']]);
      assert.equal(events[2]?.[0]?.changes[0]?.text, 'Renewed: the term now ends on 13 Jan.');
      assert.equal(events[2]?.[0]?.closes, true);
      assert.equal(events[3]?.[0]?.episode, 2, 'the new term has its own card');
      assert.equal(findPrint(snapshot, 'sub-e3')?.warned, 30);
    });

    it('auto-renew turned on ends the episode', () => {
      const { events } = fetches({ at: at(-5), subscriptions: [ending] }, { at: T0, subscriptions: [ending] }, { at: at(1), subscriptions: [e3()] });
      assert.deepEqual(kinds(events[2] ?? []), ['autoRenewOn']);
      assert.equal(events[2]?.[0]?.closes, true);
    });

    it('honours SUBSCRIPTION_WARN_DAYS: 14 warns at 14, 7 and 1', () => {
      assert.deepEqual(warningThresholds(14), [14, 7, 1]);
      assert.deepEqual(warningThresholds(30), [30, 7, 1]);
      assert.deepEqual(warningThresholds(5), [5, 1]);
      assert.deepEqual(warningThresholds(1), [1]);
      assert.equal(dueWarning(31, [30, 7, 1]), null);
      assert.equal(dueWarning(30, [30, 7, 1]), 30);
      assert.equal(dueWarning(8, [30, 7, 1]), 30);
      assert.equal(dueWarning(7, [30, 7, 1]), 7);
      assert.equal(dueWarning(0, [30, 7, 1]), 1);
      const { events } = fetches({ at: T0, subscriptions: [ending], warnDays: 14 }, { at: at(16), subscriptions: [ending], warnDays: 14 });
      assert.deepEqual(events.map(kinds), [[], ['ending']]);
    });
  });

  describe('days left by calendar day in UTC', () => {
    const end = (commitmentEndDate: string) => e3({ autoRenewEnabled: false, commitmentEndDate });
    /** The warning the diff gives at `fetchedAt` for a term ending `commitmentEndDate`, after a baseline 40 days before. */
    const warningAt = (commitmentEndDate: string, fetchedAt: string) =>
      findPrint(fetches({ at: at(-40, fetchedAt), subscriptions: [end(commitmentEndDate)] }, { at: fetchedAt, subscriptions: [end(commitmentEndDate)] }).snapshot, 'sub-e3')
        ?.warned;

    it('the day before the 7-day mark is still the 30-day warning; the day of it is the 7-day one, at any hour', () => {
      assert.equal(warningAt('2026-12-14', '2026-12-06T23:59:59Z'), 30);
      assert.equal(warningAt('2026-12-14', '2026-12-07T00:00:00Z'), 7);
      assert.equal(warningAt('2026-12-14', '2026-12-07T23:59:59Z'), 7);
      assert.equal(warningAt('2026-12-14', '2026-12-12T23:59:59Z'), 7);
      assert.equal(warningAt('2026-12-14', '2026-12-13T00:00:00Z'), 1);
    });

    it('reads date-only and date-time values, with or without an offset, as their UTC calendar day', () => {
      assert.equal(utcDay('2026-12-14'), '2026-12-14');
      assert.equal(utcDay('2026-12-14T00:00:00Z'), '2026-12-14');
      assert.equal(utcDay('2026-12-14T00:00:00.000Z'), '2026-12-14');
      assert.equal(utcDay('2026-12-14T23:59:59Z'), '2026-12-14');
      assert.equal(utcDay('2026-12-14T01:00:00+02:00'), '2026-12-13', 'an hour after midnight in UTC+2 is still 13 Dec in UTC');
      assert.equal(utcDay('2026-12-13T23:00:00-05:00'), '2026-12-14', '11 pm in UTC-5 is 14 Dec in UTC');
      assert.equal(utcDay('2026-12-14T00:00:00+00:00'), '2026-12-14');
      assert.equal(utcDay(null), null);
      assert.equal(utcDay('soon'), null);
      assert.equal(utcDay('2026-02-30'), null);
    });

    it('reads a date-time without an offset as UTC whatever the process time zone', () => {
      const saved = process.env.TZ;
      try {
        for (const zone of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
          process.env.TZ = zone;
          assert.equal(utcDay('2026-12-14T00:00:00'), '2026-12-14', zone);
          assert.equal(daysLeft('2026-12-14', new Date('2026-12-13T23:30:00Z')), 1, zone);
          assert.equal(formatDay('2026-12-14', '2026-12-13T23:30:00Z'), '14 Dec', zone);
        }
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });

    it('counts days across the offset the same as the date-only value', () => {
      assert.equal(warningAt('2026-12-14T01:00:00+02:00', '2026-12-12T12:00:00Z'), 1, '13 Dec in UTC: 1 day left on 12 Dec');
      assert.equal(warningAt('2026-12-14T00:00:00-08:00', '2026-12-07T12:00:00Z'), 7, '14 Dec 08:00 UTC: 7 days left on 7 Dec');
      assert.equal(daysLeft('2026-12-14', '2026-12-14T23:59:59Z'), 0, 'the day of');
      assert.equal(daysLeft('2026-12-14', '2026-12-15T00:00:00Z'), -1);
      assert.equal(daysLeft('2027-01-01', '2026-12-31T23:59:59Z'), 1, 'across a year');
      assert.equal(daysLeft('2028-03-01', '2028-02-28T00:00:00Z'), 2, 'a leap year');
    });

    it('says "today" on the day of the end, and shows the date as "14 Dec" (with the year when far away)', () => {
      // 2 days left at the baseline: the 7-day warning counts as given; on the day itself the 1-day one comes.
      const { events } = fetches({ at: '2026-12-12T10:00:00Z', subscriptions: [end('2026-12-14')] }, { at: '2026-12-14T10:00:00Z', subscriptions: [end('2026-12-14')] });
      assert.equal(events[1]?.[0]?.changes[0]?.text, 'The term ends today (14 Dec) and will not renew.');
      assert.equal(formatDay('2026-12-14', '2026-11-14T00:00:00Z'), '14 Dec');
      assert.equal(formatDay('2028-12-14', '2026-11-14T00:00:00Z'), '14 Dec 2028');
    });
  });

  describe('quantity, new and cancelled subscriptions', () => {
    it('alerts a quantity change from → to as information, one card each time on a healthy subscription', () => {
      const { events } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(1), subscriptions: [e3({ quantity: 100 })] },
        { at: at(2), subscriptions: [e3({ quantity: 120 })] },
      );
      assert.equal(events[1]?.[0]?.changes[0]?.text, 'Quantity 120 → 100 licenses.');
      assert.equal(events[1]?.[0]?.severity, 'information');
      assert.equal(events[1]?.[0]?.closes, true);
      assert.deepEqual([events[1]?.[0]?.episode, events[2]?.[0]?.episode], [1, 2]);
    });

    it('keeps the ids of the same quantity change apart inside one open episode', () => {
      const suspended = (quantity: number) => e3({ status: 'suspended', quantity });
      const { events } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(1), subscriptions: [suspended(120)] },
        { at: at(2), subscriptions: [suspended(100)] },
        { at: at(3), subscriptions: [suspended(120)] },
        { at: at(4), subscriptions: [suspended(100)] },
      );
      const ids = events.slice(1).map((list) => list[0]?.id);
      assert.equal(new Set(ids).size, 4);
      assert.ok(events.slice(1).every((list) => list[0]?.episode === 1));
    });

    it('alerts a new subscription and a cancelled one (no longer listed); a return is a new episode', () => {
      const teams = subscription(2, { id: 'sub-teams', friendlyName: 'Teams Phone', quantity: 40 });
      const { events, snapshot } = fetches(
        { at: T0, subscriptions: [e3()] },
        { at: at(1), subscriptions: [e3(), teams] },
        { at: at(2), subscriptions: [e3()] },
        { at: at(3), subscriptions: [e3(), teams] },
      );
      assert.equal(events[1]?.[0]?.changes[0]?.text, 'New subscription: 40 licenses, active.');
      assert.equal(events[2]?.[0]?.changes[0]?.text, 'No longer listed (cancelled).');
      assert.equal(events[2]?.[0]?.gone, true);
      assert.equal(events[2]?.[0]?.subscription.friendlyName, 'Teams Phone', 'named from the snapshot');
      assert.match(events[3]?.[0]?.changes[0]?.text ?? '', /^Listed again/);
      assert.deepEqual(events.slice(1).map((list) => list[0]?.episode), [1, 2, 3]);
      assert.equal(findPrint(snapshot, 'sub-teams')?.goneAt, undefined);
    });

    it('forgets a cancelled subscription after 30 days', () => {
      const teams = subscription(2, { id: 'sub-teams' });
      const { snapshot } = fetches({ at: T0, subscriptions: [teams] }, { at: at(1), subscriptions: [] }, { at: at(20), subscriptions: [] }, { at: at(32), subscriptions: [] });
      assert.deepEqual(snapshot.subscriptions, []);
    });
  });

  describe('trials', () => {
    const trial = (overrides: Partial<Subscription> = {}) => e3({ isTrial: true, autoRenewEnabled: false, commitmentEndDate: '2027-06-01', ...overrides });

    it('alerts a trial converting to paid', () => {
      const { events } = fetches({ at: T0, subscriptions: [trial()] }, { at: at(1), subscriptions: [trial({ isTrial: false, autoRenewEnabled: true })] });
      assert.deepEqual(kinds(events[1] ?? []), ['trialConverted']);
      assert.equal(events[1]?.[0]?.severity, 'information');
    });

    it('alerts a trial ending (expired, deleted or gone) as information, not critical', () => {
      for (const ended of [[trial({ status: 'expired' })], [trial({ status: 'deleted' })], []]) {
        const { events } = fetches({ at: T0, subscriptions: [trial()] }, { at: at(1), subscriptions: ended });
        assert.deepEqual(kinds(events[1] ?? []), ['trialEnded']);
        assert.equal(events[1]?.[0]?.severity, 'information');
      }
    });
  });

  describe('event ids', () => {
    it('are the same when the same batch runs again (after a crash before its write)', () => {
      const baseline = diffSubscriptions('c1', undefined, [e3()], T0).snapshot;
      const first = diffSubscriptions('c1', baseline, [e3({ status: 'suspended' })], at(1));
      const again = diffSubscriptions('c1', baseline, [e3({ status: 'suspended' })], at(1));
      assert.deepEqual(again.events.map((event) => event.id), first.events.map((event) => event.id));
      assert.deepEqual(again.snapshot, first.snapshot);
    });
  });
});

describe('subscription wire fields', () => {
  const wire = { id: 'sub-1', offerName: 'Microsoft 365 E3', status: 'active' };

  it('reads attentionNeeded, attentionReason and suspensionReasons, and tolerates their absence', () => {
    const plain = subscriptionSchema.parse(wire);
    assert.equal(plain.attentionNeeded, false);
    assert.equal(plain.attentionReason, null);
    assert.deepEqual(plain.suspensionReasons, []);
    const flagged = subscriptionSchema.parse({ ...wire, status: 'suspended', attentionNeeded: true, attentionReason: ' Payment overdue ', suspensionReasons: ['CreditCheck'] });
    assert.equal(flagged.attentionNeeded, true);
    assert.equal(flagged.attentionReason, 'Payment overdue');
    assert.deepEqual(flagged.suspensionReasons, ['CreditCheck']);
  });

  it('does not fail a list on odd shapes of the new fields', () => {
    const odd = subscriptionSchema.parse({ ...wire, attentionNeeded: null, attentionReason: 42, suspensionReasons: 'CreditCheck' });
    assert.equal(odd.attentionNeeded, false);
    assert.equal(odd.attentionReason, null);
    assert.deepEqual(odd.suspensionReasons, []);
    assert.deepEqual(subscriptionSchema.parse({ ...wire, suspensionReasons: ['Fraud', 7, ''] }).suspensionReasons, ['Fraud']);
  });
});
