// A conversation's reference is refreshed on every turn that brings a new one. The refresh must not write back
// a copy of the conversation's schedule read before the change: quiet hours (on this or another instance) may
// have held alerts in between, and those would be lost. Two instances on a real PostgreSQL: with one process
// (lowdb) a read is never older than the change that follows it.
import assert from 'node:assert/strict';
import type { Activity } from 'botbuilder';
import { TargetBook, threadRootOf } from '../../src/bot/targets.js';
import { PostgresStateStore } from '../../src/store/postgres/postgresStore.js';
import type { HeldAlert } from '../../src/store/state.js';
import type { StateStore } from '../../src/store/stateStore.js';
import { CHANNEL_ID, message } from '../support/activities.js';
import { watch } from '../support/samples.js';
import { postgresForSuite } from '../support/postgres.js';

const ROUNDS = 12;

/** A turn in the channel whose reference carries this service URL (Teams changes it now and then). */
function turn(serviceUrl: string): Activity {
  return message('watches', { serviceUrl, channelId: CHANNEL_ID }) as unknown as Activity;
}

function held(i: number): HeldAlert {
  return { id: `held-${i}`, kind: 'notice', heldAt: new Date(0).toISOString(), heldUntil: new Date(0).toISOString(), text: `alert ${i}`, edited: false };
}

/** Quiet hours hold an alert for the channel (as the delivery's quiet-hours stage does, in one transaction). */
function hold(store: StateStore, i: number): Promise<void> {
  return store.transaction((tx) => {
    const schedule = tx.conversations.schedule(CHANNEL_ID);
    assert.ok(schedule);
    schedule.held.push(held(i));
  });
}

/** Holds an alert through `holder`, then refreshes the reference through `refresher`, ROUNDS times. */
async function interleave(holder: StateStore, refresher: StateStore): Promise<string[]> {
  const book = new TargetBook(refresher);
  await new TargetBook(holder).remember(turn('https://smba.example/amer/'), new Date());
  await refresher.refresh();
  for (let i = 0; i < ROUNDS; i++) {
    await hold(holder, i);
    await book.remember(turn(`https://smba.example/amer/${i}/`), new Date());
  }
  await holder.refresh();
  const target = holder.ports.conversations.get(CHANNEL_ID);
  assert.equal(target?.reference.serviceUrl, `https://smba.example/amer/${ROUNDS - 1}/`, 'the last reference is kept');
  return (target?.schedule?.held ?? []).map((alert) => alert.id);
}

const allHeld = Array.from({ length: ROUNDS }, (_, i) => `held-${i}`);

describe('TargetBook.remember: a refreshed reference keeps what was held meanwhile', () => {
  it('on two PostgreSQL instances: alerts held on one while the other refreshes the reference are all kept', async function () {
    this.timeout(20_000);
    const url = await (await postgresForSuite(this)).createDatabase();
    const a = await PostgresStateStore.open(url);
    const b = await PostgresStateStore.open(url);
    try {
      assert.deepEqual(await interleave(a, b), allHeld);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('on two PostgreSQL instances at the same time: holds on one, reference refreshes and watch changes on both, nothing lost', async function () {
    // Issue 22's "Concurrent writes": every write a read-modify-write through the ports, in its own transaction.
    this.timeout(30_000);
    const url = await (await postgresForSuite(this)).createDatabase();
    const a = await PostgresStateStore.open(url);
    const b = await PostgresStateStore.open(url);
    try {
      await new TargetBook(a).remember(turn('https://smba.example/amer/'), new Date());
      // Watches to remove while others are added: a removal writes the list back, and must not drop an addition.
      await a.transaction((tx) => {
        for (let i = 0; i < ROUNDS; i++) tx.watches.add(watch({ id: `old-${i}`, targetKey: CHANNEL_ID, customerId: `old-${i}` }));
      });
      await b.refresh();
      const watchFrom = (store: StateStore, i: number) => store.transaction((tx) => tx.watches.add(watch({ id: `w-${i}`, targetKey: CHANNEL_ID, customerId: `c-${i}` })));
      const unwatchFrom = (store: StateStore, i: number) => store.transaction((tx) => tx.watches.removeWhere((w) => w.id === `old-${i}`));
      await Promise.all([
        ...Array.from({ length: ROUNDS }, (_, i) => hold(a, i)),
        ...Array.from({ length: ROUNDS }, (_, i) => new TargetBook(b).remember(turn(`https://smba.example/amer/${i}/`), new Date())),
        ...Array.from({ length: ROUNDS }, (_, i) => watchFrom(i % 2 === 0 ? a : b, i)),
        ...Array.from({ length: ROUNDS }, (_, i) => unwatchFrom(i % 2 === 0 ? b : a, i)),
      ]);
      await Promise.all([a.refresh(), b.refresh()]);
      for (const store of [a, b]) {
        const target = store.ports.conversations.get(CHANNEL_ID);
        assert.deepEqual((store.ports.conversations.schedule(CHANNEL_ID)?.held ?? []).map((alert) => alert.id).sort(), [...allHeld].sort(), 'every held alert kept');
        assert.match(target?.reference.serviceUrl ?? '', /amer\/\d+\/$/, 'a refreshed reference');
        assert.deepEqual(store.ports.watches.all().map((w) => w.id).sort(), Array.from({ length: ROUNDS }, (_, i) => `w-${i}`).sort(), 'every watch added kept, every one removed gone');
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('threadRootOf: the thread a channel command belongs to (its answers and its "poll now" summary go there)', () => {
  const activity = (conversationId: string, conversationType: string, id = 'msg-2') => ({ id, conversation: { id: conversationId, conversationType } }) as Activity;

  it('reads the root from ";messageid=", takes the message itself when it starts the thread, and has none in chats', () => {
    assert.equal(threadRootOf(activity(`${CHANNEL_ID};messageid=root-1`, 'channel')), 'root-1');
    assert.equal(threadRootOf(activity(CHANNEL_ID, 'channel', 'msg-7')), 'msg-7');
    assert.equal(threadRootOf(activity('a:personal-chat-with-ana', 'personal')), null);
    assert.equal(threadRootOf(activity('19:group-chat@thread.v2', 'groupChat')), null);
  });
});

