import assert from 'node:assert/strict';
import { BoundedCache } from '../../src/domain/boundedCache.js';

describe('bounded cache', () => {
  it('keeps at most its bound, letting go of the entry used longest ago', () => {
    const cache = new BoundedCache<string, number>(3);
    for (const [key, value] of [['a', 1], ['b', 2], ['c', 3]] as const) cache.set(key, value);
    assert.equal(cache.get('a'), 1); // a is now the most recently used: b is the oldest
    cache.set('d', 4);
    assert.equal(cache.size, 3);
    assert.equal(cache.has('b'), false);
    assert.deepEqual(['a', 'c', 'd'].map((key) => cache.get(key)), [1, 3, 4]);
    cache.set('c', 30); // setting again refreshes too: a is the oldest now
    cache.set('e', 5);
    assert.equal(cache.has('a'), false);
    assert.equal(cache.get('c'), 30);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('refuses a bound that could hold nothing', () => {
    assert.throws(() => new BoundedCache(0), /a cache needs a bound of at least 1, not 0/);
  });
});
