import assert from 'node:assert/strict';
import { describeWatch, watchCoversIncident, watchCoversSubscription } from '../../src/domain/watch.js';
import { watch } from '../support/samples.js';
import type { Incident } from '../../src/domain/types.js';


const incident = (severity: Incident['severity'], workload: string): Incident => ({
  id: 'X1', customerId: 'c1', kind: 'incident', workload, title: 't', severity, status: severity,
  startTime: '', endTime: null, resolved: false, messages: [],
});

describe('watch rules', () => {
  it('covers only its own customer, or every customer for "all"', () => {
    assert.equal(watchCoversIncident(watch({}), 'c1', incident('normal', 'Exchange Online')), true);
    assert.equal(watchCoversIncident(watch({}), 'c2', incident('normal', 'Exchange Online')), false);
    assert.equal(watchCoversIncident(watch({ kind: 'all', customerId: null }), 'c2', incident('normal', 'Exchange Online')), true);
    assert.equal(watchCoversIncident(watch({ kind: 'order', orderId: 'o' }), 'c1', incident('critical', 'Exchange Online')), false);
  });

  it('leaves customers excluded from "watch all" out, and says so', () => {
    const all = watch({ kind: 'all', customerId: null, excluded: [{ customerId: 'c2', name: 'Fabrikam' }] });
    assert.equal(watchCoversIncident(all, 'c1', incident('normal', 'Exchange Online')), true);
    assert.equal(watchCoversIncident(all, 'c2', incident('critical', 'Exchange Online')), false);
    assert.equal(describeWatch(all), 'all customers except Fabrikam');
  });

  it('leaves customers excluded from "watch subscriptions all" out of its subscription alerts, and says so', () => {
    const all = watch({ kind: 'subscriptions', customerId: null, customerName: null, excluded: [{ customerId: 'c2', name: 'Fabrikam' }] });
    assert.equal(watchCoversSubscription(all, 'c1', 'critical'), true);
    assert.equal(watchCoversSubscription(all, 'c2', 'critical'), false);
    assert.equal(describeWatch(all), 'the subscriptions of all customers except Fabrikam');
  });

  it('filters by minimum severity', () => {
    const w = watch({ minSeverity: 'warning' });
    assert.equal(watchCoversIncident(w, 'c1', incident('information', 'Exchange Online')), false);
    assert.equal(watchCoversIncident(w, 'c1', incident('warning', 'Exchange Online')), true);
    assert.equal(watchCoversIncident(w, 'c1', incident('critical', 'Exchange Online')), true);
  });

  it('filters by workload names as people type them', () => {
    const w = watch({ workloads: ['exchange', 'teams'] });
    assert.equal(watchCoversIncident(w, 'c1', incident('normal', 'Exchange Online')), true);
    assert.equal(watchCoversIncident(w, 'c1', incident('normal', 'Microsoft Teams')), true);
    assert.equal(watchCoversIncident(w, 'c1', incident('normal', 'SharePoint Online')), false);
  });

  it('describes itself for people', () => {
    assert.equal(describeWatch(watch({ minSeverity: 'warning', workloads: ['exchange'] })), 'Contoso (severity warning or worse; workloads exchange)');
  });
});
