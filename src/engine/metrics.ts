// GET /metrics: Prometheus metrics of one app. Counters are fed as things happen (delivery outcomes,
// Partner Center answers, Teams 429s); gauges are read at scrape time from the health report, so /healthz
// and /metrics come from one walk of the state and never disagree.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Lane } from '../partnerCenter/rateBudget.js';
import type { Delivery } from '../store/state.js';
import type { Outcome } from './deliveryStages.js';
import type { HealthReport } from './health.js';
import type { OutboundDelivery } from '../store/state.js';
import type { OutboundResult } from './outbound.js';

export interface AppMetrics {
  /** A delivery reached an outcome; `source` is what it is about (incident, provisioning, subscription, notice, summary). */
  deliveryOutcome(delivery: Delivery, outcome: Outcome): void;
  /** An alert event's attempt at an outbound endpoint (webhook, tickets) reached a result. */
  outboundOutcome(delivery: OutboundDelivery, result: OutboundResult): void;
  partnerCenterAnswer(lane: Lane, status: string): void;
  teamsThrottled(): void;
  /** The exposition text and its content type, as of now. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(health: () => Promise<HealthReport>): AppMetrics {
  // A registry per app, never prom-client's global one: two apps in one process (tests, a restart) keep
  // their own counts, and registering a name twice cannot throw.
  const registry = new Registry();
  let defaultsCollected = false;
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });

  const deliveries = counter('partner_alerts_deliveries_total', 'Deliveries by destination (teams, webhook, tickets), what they are about and their outcome.', ['destination', 'source', 'result']);
  const outboundBacklog = gauge('partner_alerts_outbound_backlog', 'Alert events waiting for each outbound endpoint (a webhook URL, a PSA).', ['destination', 'endpoint']);
  const requests = counter(
    'partner_alerts_partner_center_requests_total',
    'Partner Center request attempts by budget lane and HTTP status (or timeout/network).',
    ['lane', 'status'],
  );
  const throttled = counter('partner_alerts_teams_throttled_total', 'Answers 429 (too many requests) from Teams.', []);
  const outboxDepth = gauge('partner_alerts_outbox_depth', 'Deliveries waiting in the outbox.');
  const customers = gauge('partner_alerts_customers', 'Customers whose data each sweep lane holds.', ['lane']);
  const dataAge = gauge('partner_alerts_data_age_seconds', "Age of the oldest customer data in each lane, in seconds.", ['lane']);
  const progress = gauge('partner_alerts_round_progress_ratio', 'Share of the current sweep round done (1 between rounds).');
  const leader = gauge('partner_alerts_leader', '1 while this instance leads the sweep.');

  return {
    deliveryOutcome: (delivery, outcome) => deliveries.inc({ destination: 'teams', source: delivery.kind, result: outcome }),
    outboundOutcome: (delivery, result) => deliveries.inc({ destination: delivery.destination, source: delivery.event.source, result }),
    partnerCenterAnswer: (lane, status) => requests.inc({ lane, status }),
    teamsThrottled: () => throttled.inc(),
    scrape: async () => {
      // Started at the first scrape: apps nobody scrapes (tests, the sandbox) start no GC observer or
      // event-loop monitor, which prom-client cannot stop again.
      if (!defaultsCollected) {
        collectDefaultMetrics({ register: registry });
        defaultsCollected = true;
      }
      const report = await health();
      outboxDepth.set(report.deliveries.pending);
      outboundBacklog.reset();
      for (const endpoint of report.outbound?.endpoints ?? []) outboundBacklog.set({ destination: endpoint.destination, endpoint: endpoint.endpoint }, endpoint.pending);
      customers.reset();
      dataAge.reset();
      for (const lane of ['fast', 'rolling'] as const) {
        const figures = report.lanes[lane];
        customers.set({ lane }, figures.customers);
        // A lane without customers has no oldest data: no sample rather than a made-up 0.
        if (figures.oldestAgeSeconds !== null) dataAge.set({ lane }, figures.oldestAgeSeconds);
      }
      const round = report.sweep.round;
      progress.set(round && round.total > 0 ? round.done / round.total : 1);
      leader.set(report.store.leading ? 1 : 0);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
