// The secret codec alone: the envelope it stores, what opens it and what does not, and which secrets it
// asks to be stored again. The stores' use of it is in secretsAtRest.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isSealed, keyId, SecretBox, SecretKeyError, type Sealed } from '../../src/store/secretBox.js';
import { sealState, openState, secretsHeld } from '../../src/store/storedSecrets.js';
import { emptyState } from '../../src/store/state.js';

const A = randomBytes(32);
const B = randomBytes(32);
const PLACE = 'auth.refreshToken';
const LABEL = 'Partner Center refresh token';

describe('secret box (AES-256-GCM envelope)', () => {
  it('seals into {v, kid, iv, tag, ct} under the current key, a fresh nonce each time, and opens it again', () => {
    const box = new SecretBox({ current: A, previous: null });
    const first = box.seal('token', PLACE) as Sealed;
    const second = box.seal('rotated', PLACE) as Sealed;
    const third = box.seal('token', PLACE) as Sealed;
    assert.ok(isSealed(first));
    assert.deepEqual(Object.keys(first).sort(), ['ct', 'iv', 'kid', 'tag', 'v']);
    assert.equal(first.kid, keyId(A));
    assert.equal(Buffer.from(first.iv, 'base64').length, 12);
    assert.equal(new Set([first.iv, second.iv, third.iv]).size, 3, 'never the same nonce twice under one key');
    assert.ok(!JSON.stringify(first).includes('token'));
    assert.deepEqual(box.open(first, PLACE, LABEL), { plain: 'token', stale: false });
    assert.deepEqual(box.open(second, PLACE, LABEL), { plain: 'rotated', stale: false });
  });

  it('seals an unchanged secret to the same envelope (one nonce per secret, not per write), also after opening it', () => {
    const box = new SecretBox({ current: A, previous: null });
    const sealed = box.seal('token', PLACE);
    assert.equal(box.seal('token', PLACE), sealed);
    const reopened = new SecretBox({ current: A, previous: null });
    reopened.open(sealed as Sealed, PLACE, LABEL);
    assert.deepEqual(reopened.seal('token', PLACE), sealed, 'a file opened and written again keeps its ciphertext');
    assert.notDeepEqual(new SecretBox({ current: A, previous: null }).seal('token', PLACE), sealed);
  });

  it('a key id tells keys apart without revealing them', () => {
    assert.equal(keyId(A), keyId(Buffer.from(A)));
    assert.notEqual(keyId(A), keyId(B));
    assert.ok(!A.toString('base64').includes(keyId(A)) && keyId(A).length < 16);
  });

  it('without a key, passes secrets through as plain text; with one, plain or previous-key secrets are stale', () => {
    const none = new SecretBox();
    assert.equal(none.encrypts, false);
    assert.equal(none.seal('token', PLACE), 'token');
    assert.deepEqual(none.open('token', PLACE, LABEL), { plain: 'token', stale: false });

    const old = new SecretBox({ current: A, previous: null }).seal('token', PLACE) as Sealed;
    const rotating = new SecretBox({ current: B, previous: A });
    assert.deepEqual(rotating.open('token', PLACE, LABEL), { plain: 'token', stale: true });
    assert.deepEqual(rotating.open(old, PLACE, LABEL), { plain: 'token', stale: true });
  });

  it('refuses a ciphertext moved to another place, or changed, as damaged', () => {
    const box = new SecretBox({ current: A, previous: null });
    const sealed = box.seal('token', PLACE) as Sealed;
    assert.throws(() => box.open(sealed, 'other.secret', LABEL), SecretKeyError);
    const tag = Buffer.from(sealed.tag, 'base64');
    tag[0] = (tag[0] ?? 0) ^ 1;
    assert.throws(() => box.open({ ...sealed, tag: tag.toString('base64') }, PLACE, LABEL), /does not decrypt under its key \(id .+\): it was changed or damaged/);
  });

  it('seals a whole state for storing without touching the one in memory, and opens it back', () => {
    const box = new SecretBox({ current: A, previous: null });
    const state = emptyState();
    state.auth.refreshToken = 'token';
    const sealed = sealState(state, box);
    assert.equal(state.auth.refreshToken, 'token', 'memory keeps it plain');
    assert.ok(isSealed(sealed.auth.refreshToken));
    assert.equal(sealed.targets, state.targets, 'records without secrets are not copied');
    const stored = structuredClone(sealed);
    assert.deepEqual(openState(stored, box), { stale: false });
    assert.equal(stored.auth.refreshToken, 'token');
    assert.deepEqual(secretsHeld(stored), [LABEL]);
    assert.deepEqual(secretsHeld(emptyState()), []);
  });
});
