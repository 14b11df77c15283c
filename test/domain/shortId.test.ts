import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { shortDigest } from '../../src/domain/shortId.js';

describe('shortDigest', () => {
  it('is the first 22 base64url characters of the SHA-256, the same for the same text', () => {
    const text = 'c1|sub-1|e1|r1|problem|suspended|120|2026-12-14||';
    assert.equal(shortDigest(text), createHash('sha256').update(text).digest('base64url').slice(0, 22));
    assert.equal(shortDigest(text), shortDigest(text));
    assert.match(shortDigest(text), /^[A-Za-z0-9_-]{22}$/);
  });

  it('keeps a long text short and tells texts apart', () => {
    assert.equal(shortDigest('x'.repeat(100_000)).length, 22);
    assert.notEqual(shortDigest('a'), shortDigest('b'));
    assert.equal(shortDigest('').length, 22);
  });
});
