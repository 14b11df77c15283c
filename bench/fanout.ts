// Measure 4: fan-out. One Microsoft-wide incident opens for 500 watched customers; 50 channels watch them
// (half with "watch all", half with one watch per customer). The fake Bot Connector enforces Teams'
// 7 sends per second per conversation. Expected: one card per channel, delivered within the time Teams'
// limits allow (50 cards at the bot's global 50/s ≈ 1 s) once the first affected customer's answer is
// committed, and no 429. Edits are spaced as in production (60 s per thread), so the round that finds the
// incident posts each channel's card once and merges the rest of the customers into a pending edit.
import { wholeState } from '../src/store/paged.js';
import { randomUUID } from 'node:crypto';
import { TeamsRateLimiter, TEAMS_CONVERSATION_WINDOWS, TEAMS_GLOBAL_WINDOWS } from '../src/engine/teamsRateLimiter.js';
import type { Watch } from '../src/domain/watch.js';
import { startSimulator } from '../src/sandbox/simulator.js';
import type { WireIncident } from '../src/sandbox/simWire.js';
import { FakeConnector } from '../test/support/fakeConnector.js';
import { CYCLE_CONCURRENCY, LATENCY_MS, RATE_PER_SECOND } from './cycle.js';
import { channelTarget, elapsedMs, median, PRODUCTION_PACING, recordingFetch, round, row, startBenchApp, watchAll, watchCustomer, type Row } from './support.js';

const CHANNELS = 50;
const AFFECTED = 500;
/** The 31 named customers include one without a relationship (403): 501 gives 500 reachable ones. */
const CUSTOMERS = AFFECTED + 1;
const INCIDENT_ID = 'EX999001';

export interface FanoutFigures {
  cards: number;
  channelsWithOneCard: number;
  /** From the first affected customer's answer to the last channel's card. */
  deliverySeconds: number;
  /** From the first card to the last (the part Teams' limits govern). */
  spreadSeconds: number;
  boundSeconds: number;
  throttled: number;
  peakGlobalPerSecond: number;
  cycleSeconds: number;
  events: number;
  deliveriesQueued: number;
  largestCardKb: number;
  watches: number;
  stateMb: number;
  deliveryLogMb: number;
  threadsMb: number;
  /** One durable state write at the size the state has after the fan-out (each delivery makes one). */
  stateWriteMs: number;
}

function openedIncident(now: number): WireIncident {
  const iso = new Date(now).toISOString();
  return {
    id: INCIDENT_ID,
    actionType: '',
    affectedWorkloadNames: ['Exchange Online'],
    category: 'Incident',
    endTime: '0001-01-01T00:00:00Z',
    impactedArea: 'Users may be unable to send or receive email in Exchange Online',
    impactedCustomers: AFFECTED,
    messageType: 'incident',
    messages: [{ publishedTime: iso, messageText: "We're investigating reports of mail flow failures and reviewing service telemetry." }],
    requiredBy: '0001-01-01T00:00:00Z',
    resolved: false,
    severity: 'critical',
    startTime: iso,
    status: 'critical',
    workload: 'Exchange Online',
  };
}

/** Most entries of `times` (ms) inside any window of `windowMs`. */
function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export async function measureFanout(): Promise<{ figures: FanoutFigures; rows: Row[] }> {
  const sim = await startSimulator({ customerCount: CUSTOMERS, latencyMs: LATENCY_MS, seed: 42, maxRecordedRequests: 100_000 });
  const connector = await new FakeConnector({ perConversationPerSecond: 7 }).start();
  const arrivals = new Map<string, number>();
  const bench = await startBenchApp(sim, {
    requestsPerMinute: RATE_PER_SECOND * 60,
    cycleConcurrency: CYCLE_CONCURRENCY,
    teamsLimiter: new TeamsRateLimiter(),
    engine: { ...PRODUCTION_PACING },
    fetch: recordingFetch((customerId, at) => {
      if (!arrivals.has(customerId)) arrivals.set(customerId, at);
    }),
  });
  try {
    const { app } = bench;
    for (const customer of sim.data.customers) sim.data.incidentsOf(customer.id);
    // Watches name customers as the app knows them: from the directory, i.e. parsed from Partner Center.
    const unreachable = new Set(sim.data.customers.filter((customer) => customer.noRelationship).map((customer) => customer.id));
    const listed = await app.directory.reload({ correlationId: randomUUID() });
    const affected = listed.filter((customer) => !unreachable.has(customer.id));
    const targets = Array.from({ length: CHANNELS }, (_, i) => channelTarget(i, connector.url));
    const watches: Watch[] = targets.flatMap((target, i) =>
      i < CHANNELS / 2 ? [watchAll(target.key)] : affected.map((customer) => watchCustomer(target.key, customer)),
    );
    await app.store.update((draft) => {
      for (const target of targets) draft.targets[target.key] = target;
      draft.watches.push(...watches);
    });
    const baseline = await app.engine.sweepNow(); // first fetch of each customer: snapshots, no events
    if (baseline.cycle.events !== 0) throw new Error(`the baseline round raised ${baseline.cycle.events} events`);
    const noticesBefore = connector.calls.length; // e.g. the one notice about the customer that refuses access

    const incident = openedIncident(Date.now());
    for (const customer of affected) sim.data.incidentsOf(customer.id).push(incident);
    arrivals.clear();
    const keys = new Set(targets.map((target) => target.key));
    const isCard = (call: (typeof connector.calls)[number]) =>
      call.kind === 'post' && call.status < 300 && keys.has(call.conversationId) && (call.activity.attachments?.length ?? 0) > 0;
    const callTimes: number[] = [];
    let seen = noticesBefore;
    const allPosted = connector
      .waitFor((calls) => {
        for (; seen < calls.length; seen++) if (isCard(calls[seen]!)) callTimes.push(performance.now());
        return callTimes.length >= CHANNELS;
      }, 30_000)
      .catch(() => undefined);

    const cycleStarted = process.hrtime.bigint();
    const { cycle } = await app.engine.sweepNow();
    const cycleMs = elapsedMs(cycleStarted);
    await allPosted;
    const firstAffected = Math.min(...affected.map((customer) => arrivals.get(customer.id) ?? Number.POSITIVE_INFINITY));

    // Each delivery records itself with one durable write of the whole state: time one at this size.
    const writeTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = process.hrtime.bigint();
      await app.store.update(() => undefined);
      writeTimes.push(elapsedMs(started));
    }
    const state = await wholeState(app.store);
    const mb = (value: unknown) => Buffer.byteLength(JSON.stringify(value)) / 1024 / 1024;

    const cards = connector.calls.slice(noticesBefore).filter(isCard);
    const perChannel = new Map<string, number>();
    for (const call of cards) perChannel.set(call.conversationId, (perChannel.get(call.conversationId) ?? 0) + 1);
    const mostPerConversation = Math.max(0, ...perChannel.values());
    const globalMax = TEAMS_GLOBAL_WINDOWS[0]?.max ?? 50;
    const conversationMax = TEAMS_CONVERSATION_WINDOWS[0]?.max ?? 7;
    const boundSeconds = Math.max(cards.length / globalMax, mostPerConversation / conversationMax);
    const lastCard = Math.max(...callTimes);

    const figures: FanoutFigures = {
      cards: cards.length,
      channelsWithOneCard: [...perChannel.values()].filter((n) => n === 1).length,
      deliverySeconds: (lastCard - firstAffected) / 1000,
      spreadSeconds: (lastCard - Math.min(...callTimes)) / 1000,
      boundSeconds,
      throttled: connector.throttled,
      peakGlobalPerSecond: peakInWindow(callTimes, 1_000),
      cycleSeconds: cycleMs / 1000,
      events: cycle.events,
      deliveriesQueued: cycle.deliveriesQueued,
      largestCardKb: Math.max(0, ...cards.map((call) => Buffer.byteLength(JSON.stringify(call.activity)))) / 1024,
      watches: watches.length,
      stateMb: mb(state),
      deliveryLogMb: mb(state.deliveryLog),
      threadsMb: mb(state.threads),
      stateWriteMs: median(writeTimes),
    };
    // One batch commit (<= 200 ms) and its write come before the first card; then Teams' limits.
    const targetSeconds = boundSeconds + 0.5;
    const rows: Row[] = [
      row(
        `fan-out: 1 incident x ${affected.length} customers, ${CHANNELS} channels (${figures.watches} watches)`,
        `${figures.events} events, ${figures.deliveriesQueued} queued`,
      ),
      row('  cards posted (one per channel)', `${figures.cards} (${figures.channelsWithOneCard} channels with exactly 1)`, `${CHANNELS}`, figures.cards === CHANNELS && figures.channelsWithOneCard === CHANNELS),
      row(
        '  first affected answer -> last card',
        `${round(figures.deliverySeconds, 2)} s (first -> last card ${round(figures.spreadSeconds, 2)} s)`,
        `<= ${round(targetSeconds, 2)} s (Teams limits ${round(boundSeconds, 2)} s + 0.5 s commit)`,
        figures.deliverySeconds <= targetSeconds,
      ),
      row('  429s from the connector', String(figures.throttled), '0', figures.throttled === 0),
      row('  peak sends in any 1 s (bot-wide)', String(figures.peakGlobalPerSecond), `<= ${globalMax}`, figures.peakGlobalPerSecond <= globalMax),
      row('  largest card activity', `${round(figures.largestCardKb, 1)} KB`, '< 28 KB (Teams message size)', figures.largestCardKb < 28),
      row(
        '  state after delivery (of which delivery log / threads)',
        `${round(figures.stateMb, 1)} MB (${round(figures.deliveryLogMb, 1)} / ${round(figures.threadsMb, 1)} MB)`,
      ),
      row('  one durable state write at that size', `${round(figures.stateWriteMs, 0)} ms`),
      row('  the round that found it (fetch + commit + its deliveries)', `${round(figures.cycleSeconds, 2)} s`),
    ];
    return { figures, rows };
  } finally {
    await bench.close();
    await connector.close();
    await sim.close();
  }
}
