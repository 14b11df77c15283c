// The change of an alert's thread that acknowledge, mute and unmute share, for incidents and subscription
// episodes alike: only the clicked conversation's thread, a clicker's name of bounded length, and the
// "no longer tracked" notice when the thread is gone (before the write, or during it).
import assert from 'node:assert/strict';
import type { AdaptiveCardJson } from '../../../src/cards.js';
import {
  ActionProblem,
  changeThread,
  forgottenAlert,
  MAX_USER_NAME,
  storedThread,
  userName,
  type ActionContext,
  type AlertThreadRef,
} from '../../../src/bot/actions/kit.js';
import type { BotServices } from '../../../src/bot/services.js';
import type { State } from '../../../src/store/state.js';
import { MemoryStore } from '../../support/memoryStore.js';

type Thread = State['subscriptionThreads'][string];

const NOW = new Date('2026-11-22T12:00:00Z');
const ctx = (name = 'Dana') => ({ user: { id: 'u1', name }, now: NOW }) as ActionContext;
const fakeCard = (thread: Thread): AdaptiveCardJson => ({ type: 'AdaptiveCard', version: '1.5', body: [], ackedBy: thread.acknowledgedBy }) as unknown as AdaptiveCardJson;

function rig(keys: string[]) {
  const store = new MemoryStore({ subscriptionThreads: Object.fromEntries(keys.map((key) => [key, { key, acknowledgedBy: null } as Thread])) });
  const services = { store } as unknown as BotServices;
  const ref = (key: string): AlertThreadRef<Thread> => ({
    threads: (state) => state.subscriptionThreads,
    field: 'subscriptionThreads',
    key,
    card: fakeCard,
    forgotten: () => forgottenAlert('this subscription alert', 'they end', []),
  });
  return { store, services, ref };
}

describe('card actions: changing an alert thread', () => {
  it('changes the referenced thread only and answers its card for everyone', async () => {
    const { store, services, ref } = rig(['A|x', 'B|x']);
    const result = await changeThread(services, ctx(), ref('A|x'), (thread) => {
      thread.acknowledgedBy = 'Dana';
    });
    assert.equal(result.shared, true);
    assert.equal((result.card as unknown as { ackedBy: string }).ackedBy, 'Dana');
    assert.equal(store.state.subscriptionThreads['A|x']?.acknowledgedBy, 'Dana');
    assert.equal(store.state.subscriptionThreads['B|x']?.acknowledgedBy, null, "another conversation's thread is untouched");
  });

  it('says the alert is no longer tracked, and writes nothing, when the thread is not kept', async () => {
    const { store, services, ref } = rig(['A|x']);
    await assert.rejects(
      changeThread(services, ctx(), ref('A|gone'), () => assert.fail('no change without a thread')),
      (error: unknown) => error instanceof ActionProblem && error.title === 'Alert no longer tracked' && /this subscription alert in this conversation/.test(error.text),
    );
    assert.equal(store.writes, 0);
    await assert.rejects(storedThread(services, ref('A|gone')), ActionProblem);
    assert.equal((await storedThread(services, ref('A|x'))).key, 'A|x');
  });

  it('says so too when the thread is forgotten while the click is written', async () => {
    const { store, services, ref } = rig(['A|x']);
    const write = store.update.bind(store);
    store.update = (change, options) =>
      write((draft) => {
        delete draft.subscriptionThreads['A|x']; // pruned in the same write
        return change(draft);
      }, options);
    await assert.rejects(changeThread(services, ctx(), ref('A|x'), () => assert.fail('no change without a thread')), ActionProblem);
  });

  it('keeps at most MAX_USER_NAME characters of who clicked', () => {
    assert.equal(userName(ctx('Dana')), 'Dana');
    assert.equal(userName(ctx('x'.repeat(500))).length, MAX_USER_NAME);
  });
});
