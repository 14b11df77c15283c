// The refresh token notice (engine/tokenNotices.ts): to every active conversation with a watch, once per
// token and condition, saying what to run; a new consent (a new last use) is a new episode.
import assert from 'node:assert/strict';
import { tokenNotice } from '../../src/engine/tokenNotices.js';
import { emptyState, type State } from '../../src/store/state.js';
import { txPorts } from '../../src/store/ports/index.js';
import { target, watch } from '../support/sampleState.js';

const NOW = new Date('2026-12-02T09:00:00Z');
const DETAIL = 'The stored Partner Center refresh token was last used on 2026-09-17 and lapses unused on 2026-12-16.';

function watchedState(): State {
  const state = emptyState();
  state.auth = { refreshToken: 'token', usedAt: '2026-09-17T08:00:00.000Z' };
  state.targets = { a: target('a'), b: target('b'), quiet: target('quiet'), gone: { ...target('gone'), active: false } };
  state.watches = [watch('w1', 'a', 'c1'), watch('w2', 'a', 'c2'), watch('w3', 'b', 'c1'), watch('w4', 'gone', 'c1')];
  return state;
}

describe('refresh token notices (engine/tokenNotices.ts)', () => {
  it('queues one notice per active watching conversation, naming the command, and never twice', () => {
    const state = watchedState();
    assert.equal(tokenNotice(txPorts(state), 'expiring', DETAIL, NOW), 2);
    assert.deepEqual(state.outbox.map((delivery) => delivery.targetKey).sort(), ['a', 'b'], 'not the one without watches, not the inactive one');
    const text = state.outbox[0]?.kind === 'notice' ? state.outbox[0].text : '';
    assert.equal(text, `${DETAIL} Before then, have an admin agent run \`npm run connect-partner-center\` where Partner Alerts runs, or Partner Center access stops.`);

    assert.equal(tokenNotice(txPorts(state), 'expiring', DETAIL, NOW), 0, 'queued already');
    for (const delivery of state.outbox) state.deliveryLog[delivery.id] = NOW.toISOString();
    state.outbox = [];
    assert.equal(tokenNotice(txPorts(state), 'expiring', DETAIL, NOW), 0, 'sent already');
    assert.equal(tokenNotice(txPorts(state), 'refused', 'Microsoft Entra ID refused the stored Partner Center refresh token (invalid_grant).', NOW), 2, 'refused is news of its own');
  });

  it('a new consent starts a new episode', () => {
    const state = watchedState();
    assert.equal(tokenNotice(txPorts(state), 'refused', 'x', NOW), 2);
    state.auth.usedAt = NOW.toISOString();
    assert.equal(tokenNotice(txPorts(state), 'refused', 'x', NOW), 2);
  });
});
