// The rule any source's periodic items follow (src/sources/spread.ts): each item is due once per period at
// its own moment (a stable hash of its key), never left a period unfetched, and at once when never fetched.
import assert from 'node:assert/strict';
import { isDue, lastDueAt, phaseOf } from '../../src/sources/spread.js';

const PERIOD = 3_600_000;
const NOW = Date.parse('2026-11-22T12:34:56.789Z');
/** Keys like the sweep's: similar, sequential customer ids. */
const keys = Array.from({ length: 5_000 }, (_, i) => `s|00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

describe('spreading a source\'s periodic items over their period', () => {
  it('gives each key one moment within the period, the same on every call (and so on every instance)', () => {
    for (const key of keys.slice(0, 100)) {
      const phase = phaseOf(key, PERIOD);
      assert.ok(phase >= 0 && phase < PERIOD, `${key}: ${phase}`);
      assert.equal(phaseOf(key, PERIOD), phase);
    }
    assert.equal(phaseOf('a|listing', PERIOD), phaseOf('a|listing', PERIOD));
  });

  it('spreads 5,000 similar keys evenly: each tenth of the period gets 500 ± 20%', () => {
    const tenths = new Array<number>(10).fill(0);
    for (const key of keys) {
      const tenth = Math.floor((phaseOf(key, PERIOD) / PERIOD) * 10);
      tenths[tenth] = (tenths[tenth] ?? 0) + 1;
    }
    for (const n of tenths) assert.ok(n >= 400 && n <= 600, `tenths: ${tenths.join(', ')}`);
  });

  it('has each key come due at its moment: the last one is within the past period, at the key\'s phase', () => {
    for (const key of keys.slice(0, 200)) {
      const due = lastDueAt(key, PERIOD, NOW);
      assert.ok(due <= NOW && due > NOW - PERIOD, key);
      const offset = (((due - phaseOf(key, PERIOD)) % PERIOD) + PERIOD) % PERIOD;
      assert.ok(offset < 1e-3 || PERIOD - offset < 1e-3, `${key} came due ${offset} ms off its phase`);
    }
  });

  it('is due when never fetched, when fetched before its moment came, and always once a period old', () => {
    for (const key of keys.slice(0, 200)) {
      const came = lastDueAt(key, PERIOD, NOW);
      assert.equal(isDue(key, undefined, NOW, PERIOD), true, 'never fetched: at once');
      assert.equal(isDue(key, Number.NaN, NOW, PERIOD), true, 'an unreadable fetch time counts as never');
      assert.equal(isDue(key, came - 1, NOW, PERIOD), true, 'fetched just before its moment');
      assert.equal(isDue(key, came, NOW, PERIOD), false, 'fetched at its moment');
      assert.equal(isDue(key, NOW, NOW, PERIOD), false, 'fetched just now');
      assert.equal(isDue(key, NOW - PERIOD, NOW, PERIOD), true, 'a period old');
      assert.equal(isDue(key, NOW - PERIOD - 60_000, NOW, PERIOD), true, 'older than a period');
    }
  });

  it('is due every round with a period of 0 (the tests\' "every round")', () => {
    assert.equal(isDue(keys[0] ?? '', NOW, NOW, 0), true);
  });

  it('keeps one item per period (a listing) to one fetch per period, at its moment', () => {
    const key = 'a|listing';
    let fetchedAt: number | undefined;
    const fetches: number[] = [];
    // Rounds every 5 minutes for 10 periods.
    for (let now = NOW; now < NOW + 10 * PERIOD; now += 300_000) {
      if (isDue(key, fetchedAt, now, PERIOD)) {
        fetches.push(now);
        fetchedAt = now;
      }
    }
    assert.equal(fetches[0], NOW, 'the first round fetches it');
    const gaps = fetches.slice(1).map((at, i) => at - (fetches[i] ?? 0));
    assert.ok(fetches.length >= 10 && fetches.length <= 11, `${fetches.length} fetches in 10 periods`);
    assert.ok(gaps.slice(1).every((gap) => gap === PERIOD), `gaps after the first: ${gaps.join(', ')}`);
    assert.ok((gaps[0] ?? 0) <= PERIOD, 'the second fetch comes at its moment, within a period of the first');
  });
});
