// Measure 10: ticket fan-out. One Microsoft-wide critical incident opens for 500 watched customers with PSA
// tickets on (ConnectWise PSA; Autotask alike, its numbers read afterwards in one request), against the
// simulator's PSA fake answering after 50 ms and allowing 10 requests a second. 500 creates at 10/s cannot
// take less than 50 s: the figure is the time from the first ticket's event being queued to the last ticket
// in the PSA, divided by that bound (target ≤ 1.15). No reference look-up is made: none of the creates is
// pending after a crash, and the bot stores "creating" durably instead of asking the PSA before each create.
import { randomUUID } from 'node:crypto';
import { startSimulator } from '../src/sandbox/simulator.js';
import type { TicketSettings } from '../src/tickets/ticketSettings.js';
import { namedRef } from '../src/tickets/ticketSettings.js';
import { PSA_SANDBOX_CREDENTIALS } from '../src/sandbox/psaFakeWire.js';
import { FakeConnector } from '../test/support/fakeConnector.js';
import { activeIncident, channelTarget, elapsedMs, round, row, startBenchApp, watchAll, type Row } from './support.js';

const AFFECTED = 500;
/** The named customers include one without a relationship (403): 501 gives 500 reachable ones. */
const CUSTOMERS = AFFECTED + 1;
const PSA_LATENCY_MS = 50;
const PSA_PER_SECOND = 10;
const TARGET_RATIO = 1.15;

export interface TicketFanoutFigures {
  tickets: number;
  /** From the first ticket event queued to the last ticket in the PSA. */
  seconds: number;
  boundSeconds: number;
  ratio: number;
  psaRequests: number;
  throttled: number;
}

/** `psa`: the bench's figure is ConnectWise's; Autotask's (its numbers read afterwards, in one request) can be run alone. */
export async function measureTicketFanout(psaKind: 'connectwise' | 'autotask' = 'connectwise'): Promise<{ figures: TicketFanoutFigures; rows: Row[] }> {
  const sim = await startSimulator({ customerCount: CUSTOMERS, latencyMs: 5, seed: 42, maxRecordedRequests: 20_000 });
  // A PSA company of the same name for every customer: each one is matched automatically.
  const companies = sim.data.customers.map((customer, index) => ({ id: 100 + index, name: customer.companyName, webAddress: null }));
  const psa = await startSimulator({ seed: 42, psa: { latencyMs: PSA_LATENCY_MS, requestsPerSecond: PSA_PER_SECOND, companies } });
  const connector = await new FakeConnector({ perConversationPerSecond: 7 }).start();
  const cw = PSA_SANDBOX_CREDENTIALS.connectwise;
  const at = PSA_SANDBOX_CREDENTIALS.autotask;
  const tickets: TicketSettings = {
    psa: psaKind === 'connectwise'
      ? {
          kind: 'connectwise', url: `${psa.url}/connectwise`, company: cw.company, publicKey: cw.publicKey, privateKey: cw.privateKey, clientId: cw.clientId,
          board: namedRef(cw.board), statusNew: namedRef('New'), statusComplete: namedRef('Closed'), priorities: { critical: namedRef('Priority 1 - Critical') },
        }
      : {
          kind: 'autotask', zoneUrl: `${psa.url}/autotask/ATServicesRest/`, username: at.username, secret: at.secret, integrationCode: at.integrationCode,
          queueId: at.queueId, statusNew: 1, statusComplete: 5, priorities: { critical: 1, warning: 2, information: 3 },
        },
    minSeverity: 'critical',
    sources: ['incidents'],
    defaultCompanyId: null,
    // The PSA's limit, as an operator sets it: the bot spends at most 95% of it, evenly.
    requestsPerMinute: PSA_PER_SECOND * 60,
  };
  const bench = await startBenchApp(sim, { requestsPerMinute: 200 * 60, cycleConcurrency: 16, config: { tickets } });
  try {
    const { app } = bench;
    const unreachable = new Set(sim.data.customers.filter((customer) => customer.noRelationship).map((customer) => customer.id));
    const listed = await app.directory.reload({ correlationId: randomUUID() });
    const affected = listed.filter((customer) => !unreachable.has(customer.id));
    const target = channelTarget(0, connector.url);
    await app.store.update((draft) => {
      draft.targets[target.key] = target;
      draft.watches.push(watchAll(target.key));
    });
    await app.engine.sweepNow(); // the baseline: snapshots, no events
    const incident = { ...activeIncident('EX999002'), severity: 'critical', status: 'critical' } as const;
    for (const customer of affected) sim.data.incidentsOf(customer.id).push(incident);

    const started = process.hrtime.bigint();
    let firstQueuedMs: number | null = null;
    const watcher = setInterval(() => {
      if (firstQueuedMs === null && Object.keys(app.store.read().outbound).length > 0) firstQueuedMs = elapsedMs(started);
    }, 5);
    const round1 = app.engine.sweepNow();
    const made = () => psa.psa.tickets.length;
    while (made() < affected.length) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (elapsedMs(started) > 180_000) throw new Error(`only ${made()} of ${affected.length} tickets after 180 s`);
    }
    const lastMs = elapsedMs(started);
    clearInterval(watcher);
    await round1;
    const boundSeconds = affected.length / PSA_PER_SECOND;
    const seconds = (lastMs - (firstQueuedMs ?? 0)) / 1000;
    const figures: TicketFanoutFigures = {
      tickets: made(),
      seconds,
      boundSeconds,
      ratio: seconds / boundSeconds,
      psaRequests: psa.psa.requests.length,
      throttled: psa.psa.requests.filter((request) => request.status === 429).length,
    };
    return {
      figures,
      rows: [
        row('ticket_fanout_ratio: time to the last ticket ÷ the bound (500 creates at 10/s = 50 s)', `${round(figures.ratio, 3)} (${round(seconds, 1)} s)`, `≤ ${TARGET_RATIO}`, figures.ratio <= TARGET_RATIO),
        row('tickets made / PSA requests / 429s', `${figures.tickets} / ${figures.psaRequests} / ${figures.throttled}`),
      ],
    };
  } finally {
    await bench.close();
    await connector.close();
    await psa.close();
    await sim.close();
  }
}
