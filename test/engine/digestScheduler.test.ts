// The digest scheduler on an injected clock: the digest at its local time across DST changes, weekdays, a
// digest missed while the bot was down (sent once, marked late), and the scheduler waking itself.
import assert from 'node:assert/strict';
import { pino } from 'pino';
import sinon from 'sinon';
import { DigestScheduler } from '../../src/engine/digestScheduler.js';
import { emptySchedule, type ConversationSchedule, type SummaryDelivery } from '../../src/store/state.js';
import { customer, target, watch } from '../support/samples.js';
import { MemoryStore } from '../support/memoryStore.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';
const batchSources = { incidents: incidentSource(), provisioning: provisioningSource() };

const AMS = 'Europe/Amsterdam';

function setup(schedule: Partial<ConversationSchedule>, options: { active?: boolean } = {}) {
  let now = 0;
  const store = new MemoryStore({
    targets: { A: { ...target('A', options.active ?? true), schedule: { ...emptySchedule(), ...schedule } } },
    watches: [watch({ customerId: customer(1).id })],
  });
  const clock = { now: () => now, sleep: async () => undefined };
  const queued = sinon.spy();
  const start = () => new DigestScheduler({ batchSources, store, clock, log: pino({ level: 'silent' }), onQueued: queued });
  return {
    store,
    queued,
    start,
    setNow: (iso: string) => void (now = Date.parse(iso)),
    digests: () => store.state.outbox.filter((delivery): delivery is SummaryDelivery => delivery.kind === 'summary'),
  };
}

const daily = (setAt: string, days: 'daily' | 'weekdays' = 'daily') => ({ digest: { days, time: '08:00', timeZone: AMS, setBy: 'Ana', setAt } });
const ids = (report: { digests: string[] }) => report.digests;

describe('digest scheduler', () => {
  afterEach(() => sinon.restore());

  it('sends the digest at 08:00 Amsterdam time on both sides of the spring change (07:00, then 06:00 UTC)', async () => {
    const t = setup(daily('2026-03-27T12:00:00Z'));
    const scheduler = t.start();
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-28T06:59:00Z'))), []);
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-28T07:00:00Z'))), ['digest|A|2026-03-28']);
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-28T07:01:00Z'))), [], 'once a day');
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-29T05:59:00Z'))), [], '07:59 summer time');
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-29T06:00:00Z'))), ['digest|A|2026-03-29']);
    assert.deepEqual(t.digests().map((d) => [d.id, d.report.dueAt, d.report.late]), [
      ['digest|A|2026-03-28', '2026-03-28T07:00:00.000Z', false],
      ['digest|A|2026-03-29', '2026-03-29T06:00:00.000Z', false],
    ]);
    assert.equal(t.digests()[1]?.report.since, '2026-03-28T07:00:00.000Z', 'changes since the last digest');
    assert.equal(t.queued.callCount, 2, 'delivery is woken for each');
  });

  it('reports a digest once when its write runs twice (a PostgreSQL commit runs a group again after a conflict)', async () => {
    const t = setup(daily('2026-03-27T12:00:00Z'));
    const update = t.store.update.bind(t.store);
    // A first run whose commit is lost, as a commit that conflicted with another instance's, then the real one.
    t.store.update = (async (change: Parameters<typeof update>[0], options?: Parameters<typeof update>[1]) => {
      await update((draft) => {
        change(draft);
        throw new Error('conflict: run again');
      }, options).catch(() => undefined);
      return update(change, options);
    }) as typeof t.store.update;
    assert.deepEqual(ids(await t.start().tick(Date.parse('2026-03-28T07:00:00Z'))), ['digest|A|2026-03-28']);
    assert.equal(t.digests().length, 1);
  });

  it('and on both sides of the autumn change (06:00, then 07:00 UTC)', async () => {
    const t = setup(daily('2026-10-23T12:00:00Z'));
    const scheduler = t.start();
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-10-24T06:00:00Z'))), ['digest|A|2026-10-24']);
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-10-25T06:00:00Z'))), [], '07:00 winter time');
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-10-25T07:00:00Z'))), ['digest|A|2026-10-25']);
  });

  it('skips Saturday and Sunday when set for weekdays', async () => {
    const t = setup(daily('2026-03-26T12:00:00Z', 'weekdays'));
    const scheduler = t.start();
    const sent: string[] = [];
    for (let day = 27; day <= 31; day++) sent.push(...ids(await scheduler.tick(Date.parse(`2026-03-${day}T10:00:00Z`))));
    assert.deepEqual(sent, ['digest|A|2026-03-27', 'digest|A|2026-03-30', 'digest|A|2026-03-31']);
  });

  it('sends a digest missed while the bot was down once when it is back, marked late, and not again after a restart', async () => {
    const t = setup({ ...daily('2026-02-01T12:00:00Z'), lastDigest: { localDate: '2026-02-27', dueAt: '2026-02-27T07:00:00.000Z', queuedAt: '2026-02-27T07:00:00.000Z' } });
    // Down from Friday 27 February to Tuesday 3 March, 11:00 local: one digest, today's, not four.
    t.setNow('2026-03-03T10:00:00Z');
    assert.deepEqual(ids(await t.start().tick()), ['digest|A|2026-03-03']);
    const [digest] = t.digests();
    assert.equal(digest?.report.late, true);
    assert.equal(digest?.report.dueAt, '2026-03-03T07:00:00.000Z');
    assert.equal(digest?.report.since, '2026-02-27T07:00:00.000Z');
    assert.deepEqual(ids(await t.start().tick()), [], 'a restart finds it queued');
    await t.store.update((state) => {
      state.deliveryLog[digest?.id ?? ''] = '2026-03-03T10:00:01.000Z';
      state.outbox = [];
    });
    assert.deepEqual(ids(await t.start().tick()), [], 'or sent');
    assert.equal(t.store.state.targets.A?.schedule?.lastDigest?.localDate, '2026-03-03');
  });

  it('is not late when it goes out at its time, and sends none for a time before it was set up', async () => {
    const t = setup(daily('2026-03-03T08:30:00Z')); // set at 09:30 local: today's 08:00 has passed
    const scheduler = t.start();
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-03T12:00:00Z'))), []);
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-04T07:00:30Z'))), ['digest|A|2026-03-04']);
    assert.equal(t.digests()[0]?.report.late, false);
  });

  it('sends no second digest the same day when its time is moved later, and none to a conversation the bot left', async () => {
    const t = setup(daily('2026-03-01T12:00:00Z'));
    const scheduler = t.start();
    assert.equal(ids(await scheduler.tick(Date.parse('2026-03-03T07:00:00Z'))).length, 1);
    await t.store.update((state) => {
      const schedule = state.targets.A?.schedule;
      if (schedule?.digest) schedule.digest = { ...schedule.digest, time: '10:00', setAt: '2026-03-03T08:00:00Z' };
    });
    assert.deepEqual(ids(await scheduler.tick(Date.parse('2026-03-03T09:00:00Z'))), []);
    assert.equal(ids(await scheduler.tick(Date.parse('2026-03-04T09:00:00Z'))).length, 1);

    const gone = setup(daily('2026-03-01T12:00:00Z'), { active: false });
    assert.deepEqual(ids(await gone.start().tick(Date.parse('2026-03-03T07:00:00Z'))), []);
  });

  it('wakes itself at the digest time on its own timer, reading the clock afresh each time', async () => {
    const timers = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = setup(daily('2026-03-02T12:00:00Z'));
    t.setNow('2026-03-03T06:59:00Z');
    const scheduler = t.start();
    scheduler.start();
    await timers.tickAsync(0);
    assert.equal(t.digests().length, 0);
    t.setNow('2026-03-03T07:00:00Z');
    await timers.tickAsync(60_000);
    assert.deepEqual(t.digests().map((d) => d.id), ['digest|A|2026-03-03']);
    await scheduler.stop();
    t.setNow('2026-03-04T07:00:00Z');
    await timers.tickAsync(120_000);
    assert.equal(t.digests().length, 1, 'stopped: no more ticks');
  });
});
