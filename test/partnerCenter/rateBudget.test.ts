import assert from 'node:assert/strict';
import { PartnerCenterPipeline } from '../../src/partnerCenter/http.js';
import { RateBudget, type Clock, type Lane } from '../../src/partnerCenter/rateBudget.js';
import { budgetShare, FOLLOWERS_SHARE } from '../../src/partnerCenter/budgetShare.js';

/** A clock whose sleep advances time instantly, recording each wait (enough for one caller at a time). */
function fakeClock(): Clock & { waits: number[] } {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

/**
 * Manual time for concurrent callers: sleeps are timers that fire, in order, only when the test calls
 * `advance`. An aborted sleep is dropped at once, so `pending()` shows whether a timer would leak.
 */
interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
  pending(): number;
}

function manualClock(start = 1_000_000): ManualClock {
  let now = start;
  let seq = 0;
  const timers: { at: number; seq: number; fire(): void }[] = [];
  const remove = (timer: (typeof timers)[number]) => {
    const index = timers.indexOf(timer);
    if (index !== -1) timers.splice(index, 1);
  };
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = { at: now + Math.max(0, ms), seq: seq++, fire: resolve };
        timers.push(timer);
        signal?.addEventListener(
          'abort',
          () => {
            remove(timer);
            resolve();
          },
          { once: true },
        );
      }),
    pending: () => timers.length,
    advance: async (ms) => {
      const end = now + ms;
      for (;;) {
        await settle();
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        remove(due);
        now = Math.max(now, due.at);
        due.fire();
      }
      now = end;
      await settle();
    },
  };
}

/** Lets every pending promise callback run (one macrotask turn, no real waiting). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Takes from the budget and records, in grant order, which request went and when. */
function recorder(budget: RateBudget, clock: Clock) {
  const granted: { label: string; at: number }[] = [];
  const take = (label: string, lane: Lane, signal?: AbortSignal) =>
    budget.take(lane, signal).then(() => {
      granted.push({ label, at: clock.now() });
    });
  return { granted, take, labels: () => granted.map((g) => g.label) };
}

describe('rate budget', () => {
  it('spaces requests evenly at the configured rate', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, burst: 1, headroom: 0, clock }); // one per 100 ms
    for (let i = 0; i < 5; i++) await budget.take();
    assert.deepEqual(clock.waits, [100, 100, 100, 100]);
  });

  it('spaces requests at a share of the rate once told to (instances splitting one limit)', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, burst: 1, headroom: 0, clock });
    await budget.take();
    await budget.take();
    budget.setShare(0.1); // a follower's share: one request per second
    await budget.take();
    await budget.take();
    budget.setShare(1);
    await budget.take();
    assert.deepEqual(clock.waits, [100, 1_000, 1_000, 100]);
    assert.throws(() => budget.setShare(0), /share must be in \(0, 1\]/);
  });

  it('lets a burst through after an idle spell, then spaces the rest', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, burst: 3, headroom: 0, clock });
    for (let i = 0; i < 5; i++) await budget.take();
    assert.deepEqual(clock.waits, [100, 100]);
  });

  it('has a bucket of 8 by default', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, headroom: 0, clock });
    for (let i = 0; i < 10; i++) await budget.take();
    assert.deepEqual(clock.waits, [100, 100]);
  });

  it('lets the sweep catch up a late wake-up: its rate holds when timers fire late', async () => {
    // Every sleep ends 40 ms late (a busy event loop); the sweep still gets the full rate over a minute.
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms + 40) };
    const budget = new RateBudget({ requestsPerMinute: 600, headroom: 0, clock });
    let granted = 0;
    while (now < 60_000) {
      await budget.take('sweep');
      granted++;
    }
    assert.ok(granted >= 590, `granted ${granted} of 600 in a minute`);
  });

  it('holds back 5% of the limit by default, so jitter never pushes a window over it', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, burst: 1, clock });
    for (let i = 0; i < 3; i++) await budget.take();
    assert.deepEqual(clock.waits.map(Math.round), [105, 105]);
  });

  it('holds everyone back after a 429 until Retry-After has passed', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 60_000, clock });
    budget.pauseUntil(clock.now() + 5_000);
    await budget.take();
    assert.deepEqual(clock.waits, [5_000]);
  });

  it('refuses a reserve that leaves sweeps nothing', () => {
    assert.throws(() => new RateBudget({ requestsPerMinute: 60, burst: 3, interactiveReserve: 3 }), /interactiveReserve/);
    assert.doesNotThrow(() => new RateBudget({ requestsPerMinute: 60, burst: 1 })); // the default reserve shrinks to fit
  });

  describe('lanes', () => {
    it('serves a queued interactive request before sweep requests queued earlier', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, burst: 4, headroom: 0, clock });
      const r = recorder(budget, clock);
      // A chat command spent the bucket; a sweep queues up behind it.
      await Promise.all([1, 2, 3, 4].map((i) => r.take(`chat${i}`, 'interactive')));
      const pending = [1, 2, 3].map((i) => r.take(`sweep${i}`, 'sweep'));
      await clock.advance(50);
      const command = r.take('command', 'interactive');
      assert.deepEqual(budget.stats().queued, { interactive: 1, sweep: 3 });
      await clock.advance(50);
      await command;
      assert.equal(r.granted.at(-1)?.label, 'command');
      assert.equal(r.granted.at(-1)?.at, 1_000_100, 'the command took the first token that came');
      await clock.advance(2_000);
      await Promise.all(pending);
      assert.deepEqual(r.labels().slice(4), ['command', 'sweep1', 'sweep2', 'sweep3']);
      assert.deepEqual(budget.stats().queued, { interactive: 0, sweep: 0 });
    });

    it('keeps the reserve while a sweep saturates the budget, so a command goes without waiting', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, burst: 4, headroom: 0, clock });
      const r = recorder(budget, clock);
      for (let i = 0; i < 200; i++) void r.take(`sweep${i}`, 'sweep');
      for (let round = 0; round < 10; round++) {
        await clock.advance(1_000 + round * 37);
        assert.ok(budget.stats().queued.sweep > 0, 'the sweep still has requests waiting');
        const before = r.granted.length;
        const sweptSoFar = r.labels().filter((l) => l.startsWith('sweep')).length;
        const command = r.take(`command${round}`, 'interactive');
        await settle();
        assert.equal(r.granted.length, before + 1, `command ${round} went at once`);
        assert.equal(r.granted.at(-1)?.label, `command${round}`);
        await command;
        assert.ok(sweptSoFar > round * 5, 'the sweep kept going meanwhile');
      }
    });

    it('never exceeds the limit (less headroom) plus the bucket in any 60 s window', async () => {
      const clock = manualClock();
      const rpm = 600;
      const burst = 4;
      const budget = new RateBudget({ requestsPerMinute: rpm, burst, clock });
      const r = recorder(budget, clock);
      let n = 0;
      // Five simulated minutes: a sweep that always has more to do, chat commands in bursts now and then.
      for (let second = 0; second < 300; second++) {
        while (budget.stats().queued.sweep < 20) void r.take(`sweep${n++}`, 'sweep');
        if (second % 7 === 0) for (let i = 0; i < 3; i++) void r.take(`command${n++}`, 'interactive');
        if (second % 45 === 0) for (let i = 0; i < 12; i++) void r.take(`command${n++}`, 'interactive');
        await clock.advance(1_000);
      }
      const limit = rpm * (1 - 0.05) + burst;
      const times = r.granted.map((g) => g.at);
      for (let i = 0; i < times.length; i++) {
        const start = times[i] ?? 0;
        let count = 0;
        for (let j = i; j < times.length && (times[j] ?? 0) < start + 60_000; j++) count++;
        assert.ok(count <= limit, `${count} requests in the 60 s from ${start}`);
      }
      // The budget is used, not just respected: the sweep soaks up what commands leave.
      assert.ok(times.length >= 5 * rpm * 0.95 - 10, `only ${times.length} granted`);
      assert.ok(r.labels().some((l) => l.startsWith('command')));
    });

    it('holds both lanes during a 429 pause', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, burst: 4, headroom: 0, clock });
      const r = recorder(budget, clock);
      budget.pauseUntil(clock.now() + 5_000);
      assert.equal(budget.stats().pausedUntil, clock.now() + 5_000);
      const both = Promise.all([r.take('command', 'interactive'), r.take('sweep', 'sweep')]);
      await clock.advance(4_999);
      assert.deepEqual(r.granted, []);
      assert.deepEqual(budget.stats().queued, { interactive: 1, sweep: 1 });
      await clock.advance(1);
      assert.deepEqual(r.labels(), ['command']);
      await clock.advance(100); // the sweep waits for its reserve to refill
      await both;
      assert.deepEqual(r.labels(), ['command', 'sweep']);
      assert.equal(budget.stats().pausedUntil, null);
    });
  });

  describe('abort', () => {
    it('removes an aborted waiter from its queue and rejects with the signal’s reason', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, burst: 1, headroom: 0, clock });
      const r = recorder(budget, clock);
      await r.take('first', 'interactive');
      const controller = new AbortController();
      const abandoned = r.take('abandoned', 'interactive', controller.signal);
      const next = r.take('next', 'interactive');
      const sweepController = new AbortController();
      const abandonedSweep = r.take('abandoned sweep', 'sweep', sweepController.signal);
      assert.deepEqual(budget.stats().queued, { interactive: 2, sweep: 1 });
      controller.abort();
      sweepController.abort();
      await assert.rejects(abandoned, { name: 'AbortError' });
      await assert.rejects(abandonedSweep, { name: 'AbortError' });
      assert.deepEqual(budget.stats().queued, { interactive: 1, sweep: 0 });
      await clock.advance(100);
      await next;
      assert.deepEqual(r.labels(), ['first', 'next'], 'the aborted waiter took no token');
      assert.equal(clock.pending(), 0, 'no timer outlives the queues');
    });

    it('rejects at once for a signal that is already aborted', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, clock });
      const reason = new DOMException('stopped', 'AbortError');
      await assert.rejects(budget.take('sweep', AbortSignal.abort(reason)), (error) => error === reason);
      assert.deepEqual(budget.stats().queued, { interactive: 0, sweep: 0 });
    });

    it('drops its timer when the last waiter gives up, even during a long pause', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, clock });
      budget.pauseUntil(clock.now() + 300_000);
      const controller = new AbortController();
      const waiting = budget.take('sweep', controller.signal);
      assert.equal(clock.pending(), 1);
      controller.abort();
      await assert.rejects(waiting, { name: 'AbortError' });
      assert.equal(clock.pending(), 0);
    });

    it('leaves no timer once every waiter has gone', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, burst: 2, headroom: 0, clock });
      const all = Promise.all(Array.from({ length: 6 }, (_, i) => budget.take(i % 2 ? 'sweep' : 'interactive')));
      await clock.advance(10_000);
      await all;
      assert.equal(clock.pending(), 0);
    });
  });

  describe('in the pipeline', () => {
    const tokens = { getToken: async () => 'token', invalidate: () => undefined };
    const ok = () => new Response('{"items":[]}', { status: 200, headers: { 'content-type': 'application/json' } });

    it('waits in the lane the request context names', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, burst: 4, headroom: 0, clock });
      const seen: string[] = [];
      const fetchStub = (async (url: string | URL | Request) => {
        seen.push(String(url).replace(/^.*\/v1\//, ''));
        return ok();
      }) as typeof fetch;
      const pipeline = new PartnerCenterPipeline({ baseUrl: 'https://pc.example', tokens, budget, clock, fetch: fetchStub });
      const sweep = ['a', 'b', 'c'].map((p) => pipeline.getJson(`sweep-${p}`, { correlationId: 'c', lane: 'sweep' }));
      await settle();
      assert.deepEqual(seen, ['sweep-a'], 'a sweep leaves the reserve alone');
      await pipeline.getJson('command', { correlationId: 'c' });
      assert.deepEqual(seen, ['sweep-a', 'command']);
      await clock.advance(1_000);
      await Promise.all(sweep);
      assert.deepEqual(seen, ['sweep-a', 'command', 'sweep-b', 'sweep-c']);
    });

    it('surfaces an abort while waiting for the budget, without sending anything', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, clock });
      budget.pauseUntil(clock.now() + 60_000);
      let calls = 0;
      const fetchStub = (async () => {
        calls++;
        return ok();
      }) as typeof fetch;
      const pipeline = new PartnerCenterPipeline({ baseUrl: 'https://pc.example', tokens, budget, clock, fetch: fetchStub });
      const controller = new AbortController();
      const request = pipeline.getJson('customers', { correlationId: 'c', lane: 'sweep', signal: controller.signal });
      await settle();
      controller.abort();
      await assert.rejects(request, { name: 'AbortError' });
      assert.equal(calls, 0);
      assert.equal(clock.pending(), 0);
    });

    it('does not retry a request the caller aborted in flight, nor sleep a backoff', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, clock });
      const sleeps: number[] = [];
      const watchedClock: Clock = { now: clock.now, sleep: (ms, signal) => (sleeps.push(ms), clock.sleep(ms, signal)) };
      const controller = new AbortController();
      let calls = 0;
      const fetchStub = ((_url: unknown, init?: RequestInit) => {
        calls++;
        return new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true });
        });
      }) as typeof fetch;
      const pipeline = new PartnerCenterPipeline({ baseUrl: 'https://pc.example', tokens, budget, clock: watchedClock, fetch: fetchStub });
      const request = pipeline.getJson('customers', { correlationId: 'c', signal: controller.signal });
      await settle();
      assert.equal(calls, 1);
      controller.abort();
      await assert.rejects(request, { name: 'AbortError' });
      assert.equal(calls, 1);
      assert.deepEqual(sleeps, []);
    });

    it('stops during a retry backoff when the caller aborts', async () => {
      const clock = manualClock();
      const budget = new RateBudget({ requestsPerMinute: 600, clock });
      let calls = 0;
      const fetchStub = (async () => {
        calls++;
        return new Response('{"description":"busy"}', { status: 503 });
      }) as typeof fetch;
      const controller = new AbortController();
      const pipeline = new PartnerCenterPipeline({ baseUrl: 'https://pc.example', tokens, budget, clock, fetch: fetchStub });
      const request = pipeline.getJson('customers', { correlationId: 'c', signal: controller.signal });
      await settle();
      assert.equal(calls, 1);
      assert.equal(clock.pending(), 1, 'sleeping a backoff');
      controller.abort();
      await assert.rejects(request, { name: 'AbortError' });
      await clock.advance(10_000);
      assert.equal(calls, 1);
      assert.equal(clock.pending(), 0);
    });
  });
});

describe('one partner limit across instances', () => {
  const other = (leading: boolean, secondsAgo = 2) => ({ instance: `host:${Math.random()}`, leading, heartbeatAt: '', secondsAgo });

  it('gives all of it to an instance alone, or whose others stopped beating', () => {
    assert.equal(budgetShare({ instance: 'a', leading: true, others: [] }, 60), 1);
    assert.equal(budgetShare({ instance: 'a', leading: true, others: [other(false, 600)] }, 60), 1);
    assert.equal(budgetShare({ instance: 'a', leading: true }, 60), 1, 'lowdb: one process');
  });

  it('gives the leader all but the followers share, and splits that between the followers', () => {
    assert.equal(budgetShare({ instance: 'a', leading: true, others: [other(false), other(false)] }, 60), 1 - FOLLOWERS_SHARE);
    assert.equal(budgetShare({ instance: 'b', leading: false, others: [other(true)] }, 60), FOLLOWERS_SHARE);
    assert.equal(budgetShare({ instance: 'b', leading: false, others: [other(true), other(false)] }, 60), FOLLOWERS_SHARE / 2);
  });
});
