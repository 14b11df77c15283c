// Watching subscriptions as data: the grammar of "watch subscriptions …" and "unwatch subscriptions …",
// the watch rules (an incident watch never covers a subscription change, nor the other way round), and the
// watches card.
import assert from 'node:assert/strict';
import { watchesCard, type WatchSummary } from '../../../src/cards.js';
import { parseCommand, type Command } from '../../../src/domain/commands.js';
import type { Incident } from '../../../src/domain/types.js';
import { describeWatch, watchCoversIncident, watchCoversSubscription } from '../../../src/domain/watch.js';
import { allText, assertGoodCard, elementsWithText, NOW } from '../../support/cardChecks.js';
import { watch } from '../../support/samples.js';

function command(text: string): Command {
  const result = parseCommand(text);
  assert.ok(result.ok, `expected "${text}" to parse, got: ${result.ok ? '' : result.message}`);
  return result.command;
}

const none = { minSeverity: null, workloads: [] };

describe('watching subscriptions: grammar', () => {
  it('reads "watch subscriptions <customer>|all" with the severity filter of incident watches', () => {
    assert.deepEqual(command('watch subscriptions contoso'), { kind: 'watchSubscriptions', customer: 'contoso', filters: none });
    assert.deepEqual(command('watch subscriptions for Northwind Traders'), { kind: 'watchSubscriptions', customer: 'Northwind Traders', filters: none });
    assert.deepEqual(command('Watch Subscriptions ALL'), { kind: 'watchSubscriptions', customer: null, filters: none });
    assert.deepEqual(command('watch subscriptions all severity warning'), { kind: 'watchSubscriptions', customer: null, filters: { minSeverity: 'warning', workloads: [] } });
    assert.deepEqual(command('watch subscription contoso severity info'), { kind: 'watchSubscriptions', customer: 'contoso', filters: { minSeverity: 'information', workloads: [] } });
  });

  it('reads "unwatch subscriptions <customer>|all"', () => {
    assert.deepEqual(command('unwatch subscriptions contoso'), { kind: 'unwatchSubscriptions', customer: 'contoso' });
    assert.deepEqual(command('unwatch subscriptions all'), { kind: 'unwatchSubscriptions', customer: null });
  });

  it('leaves the other watch commands as they were', () => {
    assert.deepEqual(command('watch contoso severity warning'), { kind: 'watchCustomer', customer: 'contoso', filters: { minSeverity: 'warning', workloads: [] } });
    assert.deepEqual(command('watch all'), { kind: 'watchAll', filters: none });
    assert.deepEqual(command('unwatch all'), { kind: 'unwatchAll' });
    assert.deepEqual(command('unwatch contoso'), { kind: 'unwatchCustomer', customer: 'contoso' });
  });

  it('refuses what makes no sense, with an example', () => {
    for (const [text, pattern] of [
      ['watch subscriptions', /Whose subscriptions/],
      ['watch subscriptions severity warning', /Whose subscriptions/],
      ['watch subscriptions all workloads Exchange', /no workloads/],
      ['watch subscriptions all severity loud', /"loud" is not a severity/],
      ['unwatch subscriptions', /Which customer/],
    ] as const) {
      const result = parseCommand(text);
      assert.ok(!result.ok && result.reason === 'invalid', text);
      assert.match(result.message, pattern, text);
      assert.ok(result.example, text);
    }
  });
});

describe('watching subscriptions: rules', () => {
  const incident: Incident = {
    id: 'EX1', customerId: 'c1', kind: 'incident', workload: 'Exchange Online', title: 't', severity: 'critical', status: 'critical',
    startTime: '', endTime: null, resolved: false, messages: [],
  };
  const ofContoso = watch({ kind: 'subscriptions' });
  const ofAll = watch({ kind: 'subscriptions', customerId: null, customerName: null, minSeverity: 'warning' });

  it('a subscription watch covers no incident, and an incident watch no subscription change', () => {
    assert.equal(watchCoversIncident(ofContoso, 'c1', incident), false);
    assert.equal(watchCoversIncident(ofAll, 'c1', incident), false);
    assert.equal(watchCoversSubscription(watch({}), 'c1', 'critical'), false);
    assert.equal(watchCoversSubscription(watch({ kind: 'all', customerId: null }), 'c1', 'critical'), false);
  });

  it('covers its customer (or all) from its minimum severity up', () => {
    assert.equal(watchCoversSubscription(ofContoso, 'c1', 'information'), true);
    assert.equal(watchCoversSubscription(ofContoso, 'c2', 'critical'), false);
    assert.equal(watchCoversSubscription(ofAll, 'c2', 'information'), false);
    assert.equal(watchCoversSubscription(ofAll, 'c2', 'warning'), true);
    assert.equal(describeWatch(ofContoso), 'the subscriptions of Contoso');
    assert.equal(describeWatch(ofAll), 'the subscriptions of all customers (severity warning or worse)');
  });

  it('are listed on the watches card with the command that stops them', () => {
    const watches: WatchSummary[] = [
      { kind: 'subscriptions', customerName: 'Contoso', orderId: null, minSeverity: null, workloads: [], createdAt: '2026-11-01T09:00:00Z' },
      { kind: 'subscriptions', customerName: null, orderId: null, minSeverity: 'warning', workloads: [], createdAt: '2026-11-02T09:00:00Z' },
    ];
    const card = watchesCard({ watches, now: NOW });
    assertGoodCard(card, watches);
    const text = allText(card);
    assert.match(text, /Subscriptions: \nContoso\nEvery severity · suspensions, expiry, quantity and trials · since 1 Nov 2026/);
    assert.match(text, /Subscriptions: \nEvery customer\nWarning or more severe · suspensions, expiry, quantity and trials · since 2 Nov 2026/);
    for (const cmd of ['unwatch subscriptions Contoso', 'unwatch subscriptions all']) assert.equal(elementsWithText(card, new RegExp(`^${cmd}$`)).length, 1, cmd);
  });
});
