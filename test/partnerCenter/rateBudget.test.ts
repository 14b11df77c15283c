import assert from 'node:assert/strict';
import { RateBudget, type Clock } from '../../src/partnerCenter/rateBudget.js';

/** A clock whose sleep advances time instantly, recording each wait. */
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

describe('rate budget', () => {
  it('spaces requests evenly at the configured rate', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, headroom: 0, clock }); // one per 100 ms
    for (let i = 0; i < 5; i++) await budget.take();
    assert.deepEqual(clock.waits, [100, 100, 100, 100]);
  });

  it('lets a burst through after an idle spell, then spaces the rest', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, burst: 3, headroom: 0, clock });
    for (let i = 0; i < 5; i++) await budget.take();
    assert.deepEqual(clock.waits, [100, 100]);
  });

  it('holds back 5% of the limit by default, so jitter never pushes a window over it', async () => {
    const clock = fakeClock();
    const budget = new RateBudget({ requestsPerMinute: 600, clock });
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
});
