import assert from 'node:assert/strict';
import { editDistance } from '../../src/domain/editDistance.js';

describe('edit distance', () => {
  it('counts insertions, deletions and substitutions', () => {
    assert.equal(editDistance('contso', 'contoso'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });

  it('returns the length gap, without comparing, when the lengths differ by more than allowed', () => {
    assert.equal(editDistance('a', 'bcdefghijklm', 10), 11);
    assert.equal(editDistance('a', 'bcdefghijkl', 10), 11, 'a gap of exactly 10 is still compared');
  });
});
