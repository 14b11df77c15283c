// The thread-and-outbox helper every source's routing uses: a thread found or opened per change, its first
// card queued, later changes merged into a queued reply that no one is sending, a delivery of its own once
// one is in flight, and nothing queued twice (outbox and delivery log).
import assert from 'node:assert/strict';
import { routeThreadNews, threadsByEpisode, ThreadOutbox, type ThreadNews } from '../../src/sources/threadOutbox.js';
import { emptyState, type State, type SubscriptionDelivery } from '../../src/store/state.js';

const NOW = new Date('2026-03-02T10:00:00Z');

interface Card {
  key: string;
  targetKey: string;
  episode: string;
  changes: string[];
}

function news(threadKey: string, id: string, lines: string[]): ThreadNews<Card> {
  return {
    targetKey: threadKey.split('|')[0] ?? '',
    threadKey,
    id,
    open: () => ({ key: threadKey, targetKey: threadKey.split('|')[0] ?? '', episode: 'e1', changes: [] }),
    apply: (card) => void card.changes.push(...lines),
    lines,
  };
}

const outboxOf = (state: State) => state.outbox as SubscriptionDelivery[];

describe('the shared thread-and-outbox helper', () => {
  it('opens a thread and queues its first card (no reply); a change to a card queues an edit with its reply', () => {
    const state = emptyState();
    const threads: Record<string, Card> = { 'B|e1': { key: 'B|e1', targetKey: 'B', episode: 'e1', changes: ['before'] } };
    const outbox = new ThreadOutbox<SubscriptionDelivery>(state, 'subscription', { now: NOW });
    assert.equal(routeThreadNews(outbox, threads, news('A|e1', 'd1', ['Suspended.'])), 1);
    assert.equal(routeThreadNews(outbox, threads, news('B|e1', 'd2', ['Suspended.'])), 1);
    assert.deepEqual(threads['A|e1']?.changes, ['Suspended.']);
    assert.deepEqual(threads['B|e1']?.changes, ['before', 'Suspended.']);
    assert.deepEqual(
      outboxOf(state).map((d) => [d.kind, d.id, d.targetKey, d.threadKey, d.note, d.createdAt, d.attempts]),
      [
        ['subscription', 'd1', 'A', 'A|e1', null, NOW.toISOString(), 0],
        ['subscription', 'd2', 'B', 'B|e1', ['Suspended.'], NOW.toISOString(), 0],
      ],
    );
  });

  it('merges a later change into the reply of a queued delivery, in a later batch too', () => {
    const state = emptyState();
    const threads: Record<string, Card> = { 'A|e1': { key: 'A|e1', targetKey: 'A', episode: 'e1', changes: [] } };
    routeThreadNews(new ThreadOutbox<SubscriptionDelivery>(state, 'subscription', { now: NOW }), threads, news('A|e1', 'd1', ['Suspended.']));
    const later = new ThreadOutbox<SubscriptionDelivery>(state, 'subscription', { now: NOW });
    assert.equal(routeThreadNews(later, threads, news('A|e1', 'd2', ['Deleted.'])), 0);
    assert.deepEqual(outboxOf(state).map((d) => [d.id, d.note]), [['d1', ['Suspended.', 'Deleted.']]]);
    assert.deepEqual(threads['A|e1']?.changes, ['Suspended.', 'Deleted.']);
  });

  it('queues a delivery of its own when the queued one is being sent (a merge into it would be lost)', () => {
    const state = emptyState();
    const threads: Record<string, Card> = { 'A|e1': { key: 'A|e1', targetKey: 'A', episode: 'e1', changes: [] } };
    routeThreadNews(new ThreadOutbox<SubscriptionDelivery>(state, 'subscription', { now: NOW }), threads, news('A|e1', 'd1', ['Suspended.']));
    const outbox = new ThreadOutbox<SubscriptionDelivery>(state, 'subscription', { now: NOW, inFlight: new Set(['d1']) });
    assert.equal(routeThreadNews(outbox, threads, news('A|e1', 'd2', ['Deleted.'])), 1);
    assert.deepEqual(outboxOf(state).map((d) => [d.id, d.note]), [['d1', ['Suspended.']], ['d2', ['Deleted.']]]);
  });

  it('neither queues nor applies a change already queued or already sent (the delivery log)', () => {
    const state = emptyState();
    state.deliveryLog.sent = NOW.toISOString();
    const threads: Record<string, Card> = {};
    const outbox = new ThreadOutbox<SubscriptionDelivery>(state, 'subscription', { now: NOW });
    assert.equal(routeThreadNews(outbox, threads, news('A|e1', 'sent', ['Suspended.'])), 0);
    assert.deepEqual(threads, {}, 'the thread is not even opened');
    assert.equal(routeThreadNews(outbox, threads, news('A|e1', 'd1', ['Suspended.'])), 1);
    assert.equal(routeThreadNews(outbox, threads, news('A|e1', 'd1', ['Suspended.'])), 0);
    assert.deepEqual(threads['A|e1']?.changes, ['Suspended.'], 'applied once');
    assert.equal(outbox.enqueue({ ...outboxOf(state)[0]!, kind: 'subscription' }), 0, 'the same id is not queued again');
    assert.equal(state.outbox.length, 1);
  });

  it('finds the threads of the wanted episodes, each in every conversation that has its card', () => {
    const threads: Record<string, Card> = {
      'A|e1': { key: 'A|e1', targetKey: 'A', episode: 'e1', changes: [] },
      'B|e1': { key: 'B|e1', targetKey: 'B', episode: 'e1', changes: [] },
      'A|e2': { key: 'A|e2', targetKey: 'A', episode: 'e2', changes: [] },
    };
    const found = threadsByEpisode(threads, new Set(['e1']), (card) => card.episode);
    assert.deepEqual([...found.entries()].map(([episode, cards]) => [episode, cards.map((card) => card.key)]), [['e1', ['A|e1', 'B|e1']]]);
  });
});
