import assert from 'node:assert/strict';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { pino } from 'pino';
import { DeliveryPipeline } from '../../src/engine/delivery.js';
import { AlertEngine } from '../../src/engine/engine.js';
import { healthReport, type HealthReport } from '../../src/engine/health.js';
import { notReady } from '../../src/engine/readiness.js';
import { noTokenStatus, type TokenStatus } from '../../src/partnerCenter/tokenStatus.js';
import type { PartnerCenterClient } from '../../src/partnerCenter/client.js';
import type { CustomerDirectory } from '../../src/partnerCenter/customerDirectory.js';
import { RateBudget } from '../../src/partnerCenter/rateBudget.js';
import { startServer } from '../../src/server.js';
import { emptySweep, type Delivery, type State } from '../../src/store/state.js';
import { target } from '../support/samples.js';
import { MemoryStore } from '../support/memoryStore.js';
import { threadKindRegistry } from '../../src/sources/source.js';
import { incidentThreadKind } from '../../src/sources/incidents/threadKind.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
const STALL_MS = 15 * 60_000;

function notice(id: string, targetKey: string, fields: Partial<Delivery> = {}): Delivery {
  return { kind: 'notice', id, targetKey, text: 'hi', createdAt: minutesAgo(1), attempts: 0, notBefore: minutesAgo(1), lastError: null, ...fields } as Delivery;
}

function healthOf(state: Partial<State>) {
  const store = new MemoryStore(state);
  const clock = { now: () => NOW, sleep: async () => undefined };
  const log = pino({ level: 'silent' });
  const sender = { post: async () => 'x', update: async () => undefined, reply: async () => undefined, say: async () => undefined };
  const delivery = new DeliveryPipeline({ store, sender, cards: { provisioning: () => ({}) }, threadKinds: threadKindRegistry([incidentThreadKind(() => ({}))]), clock, log });
  const directory = { find: () => undefined, known: () => null } as unknown as CustomerDirectory;
  const engine = new AlertEngine({ client: {} as PartnerCenterClient, directory, store, delivery, clock, log, schedule: '* * * * *', requestsPerMinute: 500, auto: false, batchSources: { incidents: incidentSource(), provisioning: provisioningSource() } });
  const budget = new RateBudget({ requestsPerMinute: 500, clock });
  return healthReport({ store, engine, delivery, budget, clock, stallMs: STALL_MS });
}

const snapshot = (minutes: number) => ({ fetchedAt: minutesAgo(minutes), incidents: {} });

describe('health report', () => {
  it('is ok while the sweep commits and nothing due waits, with each lane\'s oldest and p95 age', async () => {
    const incidentSnapshots = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}`, snapshot(i + 1)]));
    const report = await healthOf({
      incidentSnapshots,
      sweep: { ...emptySweep(), roundId: 'r1', roundStartedAt: minutesAgo(30), lastCommitAt: minutesAgo(1), done: 40, total: 100 },
    });
    assert.equal(report.status, 'ok');
    assert.deepEqual(report.reasons, []);
    assert.deepEqual(report.lanes, {
      fast: { customers: 0, oldestAgeSeconds: null, p95AgeSeconds: null },
      rolling: { customers: 100, oldestAgeSeconds: 6_000, p95AgeSeconds: 5_700 },
    });
    assert.deepEqual((report.sweep as { round: unknown }).round, { id: 'r1', startedAt: minutesAgo(30), done: 40, total: 100, cursor: null });
  });

  it('is stalled when a round has committed nothing for the stall time', async () => {
    const report = await healthOf({ sweep: { ...emptySweep(), roundId: 'r1', roundStartedAt: minutesAgo(40), lastCommitAt: minutesAgo(16) } });
    assert.equal(report.status, 'stalled');
    assert.match(report.reasons.join(), /sweep has committed nothing for 16 min/);
  });

  it('is stalled when due deliveries wait past the stall time, but not for a conversation deferred by Teams', async () => {
    const targets = { A: target('A'), B: target('B') };
    const old = { createdAt: minutesAgo(20), notBefore: minutesAgo(20) };
    const stalled = await healthOf({ targets, outbox: [notice('n1', 'A', old)] });
    assert.equal(stalled.status, 'stalled');
    assert.match(stalled.reasons.join(), /1 due deliveries have waited over 15 min/);

    const throttled = await healthOf({ targets, outbox: [notice('n1', 'B', { ...old, attempts: 3, notBefore: new Date(NOW + 3_600_000).toISOString(), lastError: 'Teams answered 429' })] });
    assert.equal(throttled.status, 'ok');
    assert.deepEqual((throttled.deliveries as { deferred: unknown }).deferred, [
      { targetKey: 'B', until: new Date(NOW + 3_600_000).toISOString(), lastError: 'Teams answered 429' },
    ]);
    assert.deepEqual((throttled.deliveries as { byConversation: unknown }).byConversation, { B: 1 });
  });

  it('makes /readyz name the most fundamental cause: the store, then a refused token, then a stall', async () => {
    const stalled = await healthOf({ sweep: { ...emptySweep(), roundId: 'r1', roundStartedAt: minutesAgo(40), lastCommitAt: minutesAgo(16) } });
    const ok = await healthOf({});
    const refused: TokenStatus = { condition: () => 'refused' };
    const why = (reachable: boolean, tokenStatus: TokenStatus, report: HealthReport) =>
      notReady({ storeReachable: async () => reachable, tokenStatus, health: async () => report });
    assert.equal(await why(false, refused, stalled), 'store');
    assert.equal(await why(true, refused, stalled), 'token');
    assert.equal(await why(true, noTokenStatus, stalled), 'stalled');
    assert.equal(await why(true, { condition: () => 'expiring' }, ok), null);
    assert.equal(await why(true, noTokenStatus, ok), null);
  });

  it('answers 503 over HTTP when stalled, with the reasons', async () => {
    let status: 'ok' | 'stalled' = 'stalled';
    const server = await startServer({
      adapter: new CloudAdapter(new ConfigurationBotFrameworkAuthentication({})),
      bot: new ActivityHandler(),
      host: '127.0.0.1',
      port: 0,
      health: async () => ({ status, reasons: status === 'ok' ? [] : ['the sweep has committed nothing for 16 min'] }),
      ready: async () => null,
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      log: pino({ level: 'silent' }),
    });
    try {
      const stalled = await fetch(`${server.url}/healthz`);
      assert.equal(stalled.status, 503);
      assert.deepEqual(((await stalled.json()) as { reasons: string[] }).reasons, ['the sweep has committed nothing for 16 min']);
      status = 'ok';
      const ok = await fetch(`${server.url}/healthz`);
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
    } finally {
      await server.close();
    }
  });
});
