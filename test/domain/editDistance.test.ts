import assert from 'node:assert/strict';
import { editDistance, typoDistance } from '../../src/domain/editDistance.js';

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

describe('typo distance', () => {
  it('counts two neighbouring letters swapped as one slip, and otherwise as edit distance does', () => {
    assert.equal(typoDistance('hepl', 'help'), 1);
    assert.equal(typoDistance('stauts', 'status'), 1);
    assert.equal(typoDistance('kitten', 'sitting'), 3);
    assert.equal(typoDistance('', 'abc'), 3);
    assert.equal(typoDistance('same', 'same'), 0);
  });
});
