// What the ticket tests share: a simulator with its PSA fakes, a connector of either vendor pointed at them,
// a real lowdb state file, and alert events of one incident episode.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AlertEvent, EpisodeChange } from '../../src/domain/alertEvent.js';
import { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { PSA_SANDBOX_CREDENTIALS } from '../../src/sandbox/psaFake.js';
import { AutotaskConnector } from '../../src/tickets/autotask.js';
import { ConnectWiseConnector } from '../../src/tickets/connectwise.js';
import type { TicketConnector } from '../../src/tickets/connector.js';
import { namedRef, type AutotaskSettings, type ConnectWiseSettings } from '../../src/tickets/ticketSettings.js';

export type Vendor = 'autotask' | 'connectwise';
export const VENDORS: Vendor[] = ['autotask', 'connectwise'];

export function autotaskSettings(sim: Simulator, change: Partial<AutotaskSettings> = {}): AutotaskSettings {
  const c = PSA_SANDBOX_CREDENTIALS.autotask;
  return {
    kind: 'autotask', zoneUrl: `${sim.url}/autotask/ATServicesRest/`, username: c.username, secret: c.secret, integrationCode: c.integrationCode,
    queueId: c.queueId, statusNew: 1, statusComplete: 5, priorities: { critical: 1, warning: 2, information: 3 }, ...change,
  };
}

export function connectWiseSettings(sim: Simulator, change: Partial<ConnectWiseSettings> = {}): ConnectWiseSettings {
  const c = PSA_SANDBOX_CREDENTIALS.connectwise;
  return {
    kind: 'connectwise', url: `${sim.url}/connectwise`, company: c.company, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId,
    board: namedRef(c.board), statusNew: namedRef('New'), statusComplete: namedRef('Closed'), priorities: { critical: namedRef('Priority 1 - Critical') }, ...change,
  };
}

/** A connector of `vendor` against the simulator's fake; `wrongSecret` for the 401 tests. */
export function connectorFor(vendor: Vendor, sim: Simulator, options: { wrongSecret?: boolean; requestsPerMinute?: number } = {}): TicketConnector {
  const http = { requestsPerMinute: options.requestsPerMinute ?? 60_000, timeoutMs: 5_000 };
  return vendor === 'autotask'
    ? new AutotaskConnector(autotaskSettings(sim, options.wrongSecret ? { secret: 'not-it' } : {}), http)
    : new ConnectWiseConnector(connectWiseSettings(sim, options.wrongSecret ? { privateKey: 'not-it' } : {}), http);
}

/** The status a completed ticket has in the fake (Autotask 5, ConnectWise "Closed" = 20). */
export const COMPLETE_STATUS: Record<Vendor, number> = { autotask: 5, connectwise: 20 };

export async function openTestStore(): Promise<LowdbStateStore> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pa-tickets-'));
  return LowdbStateStore.open(path.join(dir, 'state.json'));
}

export async function startPsaSimulator(): Promise<Simulator> {
  return startSimulator({ seed: 42 });
}

/** One change of incident `incidentId` for a simulator customer. */
export function incidentEvent(
  sim: Simulator,
  customerName: string,
  change: EpisodeChange,
  options: { incidentId?: string; episode?: number; previousKey?: string; severity?: AlertEvent['severity']; text?: string } = {},
): AlertEvent {
  const customer = sim.data.customers.find((c) => c.companyName === customerName)!;
  const incidentId = options.incidentId ?? 'EX123456';
  const key = `incident|${incidentId}|${customer.id}|${options.episode ?? 1}`;
  return {
    id: `${key}|${change}|${options.text ?? ''}`,
    source: 'incidents',
    type: `incident.${change}`,
    severity: options.severity ?? 'critical',
    customer: { tenantId: customer.id, name: customer.companyName, domain: customer.domain },
    episode: { key, change, previousKey: options.previousKey ?? null },
    title: `${incidentId} · Users can't send mail (Exchange Online)`,
    text: options.text ?? `Change: ${change}`,
    occurredAt: '2026-12-07T17:00:00.000Z',
    links: [{ title: 'Service health', url: 'https://admin.microsoft.com/#/servicehealth' }],
    data: { incidentId },
  };
}
