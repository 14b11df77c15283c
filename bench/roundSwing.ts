// Measure 10 (issue 22): how evenly a source's periodic items fill the rounds. 5,000 customers under
// "watch all" and "watch subscriptions all", sweep rounds back to back (engine.sweepNow(), no fast lane) on
// the real clock against the simulator over loopback. The first round fetches every list (the new watch's
// baseline); SUBSCRIPTION_POLL_MINUTES is then set to four rounds at the pace that round measured, so that a
// busy machine's slower rounds do not mean fewer rounds per period. The figure is the longest round ÷ the
// shortest, in Partner Center requests, over the rounds of the period after the first round (up to the
// first round that starts a full period after it ended).
// The baseline, in the same run: the old rule ("due when last fetched + period") costs as long again over
// HTTP, so it runs on the pure plan instead (test/support/roundModel.ts: the same roundItems, rounds at the
// pace just measured), beside the new rule on the same model as a check of the model against HTTP.
import path from 'node:path';
import type { App } from '../src/app.js';
import type { AlertSource } from '../src/sources/source.js';
import { subscriptionSource, type SubscriptionSource } from '../src/sources/subscriptions/index.js';
import { startSimulator, type Simulator } from '../src/sandbox/simulator.js';
import { RoundModel } from '../test/support/roundModel.js';
import { BenchConnector } from './connector.js';
import { channelTarget, clearRecorded, round, row, startBenchApp, tempDir, watchAll, watchAllSubscriptions, type Row } from './support.js';

export const SWING_CUSTOMERS = 5_000;
const LATENCY_MS = 5;
/** The app's budget; on a busy machine the CPU paces the rounds instead (about 1,000/s on 2 cores). */
const RATE_PER_SECOND = 1_500;
const CONCURRENCY = 32;
/** Rounds per period: a round is then 5,000 incident requests and a quarter of the lists. */
const ROUNDS_PER_PERIOD = 4;
export const SWING_TARGET = 1.3;

export interface SwingRounds {
  /** Requests of the first round: every list and every customer's incidents. */
  baselineRequests: number;
  /** The measured rounds: when each started (s after the first ended), its requests and lists among them. */
  rounds: { startS: number; requests: number; lists: number }[];
  ratio: number;
}

export interface SwingFigures {
  http: SwingRounds & { seconds: number; requestsPerSecond: number; periodMs: number };
  /** The pure plan at the pace measured over HTTP: the old rule (the baseline) and the new one. */
  modelOld: SwingRounds;
  modelSpread: SwingRounds;
}

const ratioOf = (rounds: SwingRounds['rounds']) => Math.max(...rounds.map((r) => r.requests)) / Math.max(1, Math.min(...rounds.map((r) => r.requests)));

/** The rule this change replaced: a list is due when its last fetch is a period old. */
function dueWhenAPeriodOld(periodMs: number): AlertSource {
  const everyRound = subscriptionSource({ pollMinutes: 0, warnDays: 30 });
  return {
    ...everyRound,
    roundItems: (state, listing, find, now, facts) =>
      everyRound
        .roundItems(state, listing, find, now, facts)
        .filter((item) => !(now - Date.parse(facts.get('subscriptionSnapshots')?.get(item.customer?.id ?? '')?.fetchedAt ?? '') < periodMs)),
  } as AlertSource;
}

/** The same rounds on the pure plan, `msPerRequest` apart. */
function modelled(source: AlertSource, msPerRequest: number, periodMs: number): SwingRounds {
  const model = new RoundModel(SWING_CUSTOMERS, source, msPerRequest, Date.parse('2026-11-22T12:00:00Z'));
  const baseline = model.run();
  const ended = model.now;
  const rounds: SwingRounds['rounds'] = [];
  for (;;) {
    const startMs = model.now - ended;
    const planned = model.run();
    rounds.push({ startS: round(startMs / 1000, 1), requests: planned.requests, lists: planned.subscriptions.length });
    if (startMs >= periodMs) break;
  }
  return { baselineRequests: baseline.requests, rounds, ratio: ratioOf(rounds) };
}

/** One round; what Partner Center was asked in it (all /v1 requests, and the subscription lists among them). */
async function measuredRound(app: App, sim: Simulator): Promise<{ requests: number; lists: number }> {
  clearRecorded(sim);
  await app.engine.sweepNow();
  const v1 = sim.requests.filter((request) => request.path.startsWith('/v1'));
  return { requests: v1.length, lists: v1.filter((request) => request.path.endsWith('/subscriptions')).length };
}

async function runHttp(sim: Simulator, connector: BenchConnector): Promise<SwingFigures['http']> {
  const started = performance.now();
  const tmp = await tempDir('pa-bench-swing-');
  const bench = await startBenchApp(sim, {
    requestsPerMinute: RATE_PER_SECOND * 60,
    cycleConcurrency: CONCURRENCY,
    dataFile: path.join(tmp.dir, 'state.json'),
    config: { subscriptionPollMinutes: 1 },
    // Fewer, larger commits of the 10,000-snapshot state file: more of a busy machine goes to the requests.
    engine: { batchSize: 250 },
  });
  try {
    const { app } = bench;
    const target = channelTarget(0, connector.url);
    await app.store.update((draft) => {
      draft.targets[target.key] = target;
      draft.watches.push(watchAll(target.key), watchAllSubscriptions(target.key));
    });
    const baselineStarted = performance.now();
    const baseline = await measuredRound(app, sim);
    const baselineEnded = performance.now();
    const pace = baseline.requests / (baselineEnded - baselineStarted); // requests per ms
    const periodMs = Math.round((ROUNDS_PER_PERIOD * (SWING_CUSTOMERS + SWING_CUSTOMERS / ROUNDS_PER_PERIOD)) / pace);
    // The source reads its settings at every plan: the period holds four rounds from here on.
    (app.engine.sources.find((source) => source.name === 'subscriptions') as SubscriptionSource).settings.pollMinutes = periodMs / 60_000;
    const rounds: SwingRounds['rounds'] = [];
    for (;;) {
      const startMs = performance.now() - baselineEnded;
      rounds.push({ startS: round(startMs / 1000, 1), ...(await measuredRound(app, sim)) });
      if (startMs >= periodMs) break;
    }
    const measuredS = (performance.now() - baselineEnded) / 1000;
    const requestsPerSecond = rounds.reduce((sum, r) => sum + r.requests, 0) / measuredS;
    return { baselineRequests: baseline.requests, rounds, ratio: ratioOf(rounds), seconds: (performance.now() - started) / 1000, requestsPerSecond, periodMs };
  } finally {
    await bench.close();
    await tmp.remove();
  }
}

export async function measureRoundSwing(progress: (text: string) => void): Promise<{ figures: SwingFigures; rows: Row[] }> {
  const sim = await startSimulator({ customerCount: SWING_CUSTOMERS, latencyMs: LATENCY_MS, seed: 42, maxRecordedRequests: 50_000 });
  const connector = await new BenchConnector().start();
  try {
    progress(`10. round swing: ${SWING_CUSTOMERS.toLocaleString('en-US')} customers, lists spread over a period of ${ROUNDS_PER_PERIOD} rounds`);
    const http = await runHttp(sim, connector);
    const msPerRequest = 1000 / http.requestsPerSecond;
    const modelOld = modelled(dueWhenAPeriodOld(http.periodMs), msPerRequest, http.periodMs);
    const modelSpread = modelled(subscriptionSource({ pollMinutes: http.periodMs / 60_000, warnDays: 30 }), msPerRequest, http.periodMs);
    const sizes = (run: SwingRounds) => run.rounds.map((r) => r.requests).join(' / ');
    const rows = [
      row(
        `longest ÷ shortest round over a period, ${SWING_CUSTOMERS.toLocaleString('en-US')} customers, watch all + watch subscriptions all (round_swing_ratio_5000)`,
        `${round(http.ratio, 3)} (requests per round ${sizes(http)}; old rule on the plan at this pace: ${round(modelOld.ratio, 3)}, ${sizes(modelOld)})`,
        `≤ ${SWING_TARGET}`,
        http.ratio <= SWING_TARGET,
      ),
    ];
    return { figures: { http, modelOld, modelSpread }, rows };
  } finally {
    await connector.close();
    await sim.close();
  }
}

/** The supporting figures of the JSON line. */
export function roundSwingJson(figures: SwingFigures): Record<string, unknown> {
  const requests = (run: SwingRounds) => run.rounds.map((r) => r.requests);
  // The headline round_swing_ratio_5000 (figures.http.ratio) sits with the others in run.ts.
  return {
    round_swing_ratio_5000_old_rule_model: round(figures.modelOld.ratio, 3),
    round_swing_ratio_5000_model: round(figures.modelSpread.ratio, 3),
    round_swing_requests_5000: requests(figures.http),
    round_swing_lists_5000: figures.http.rounds.map((r) => r.lists),
    round_swing_requests_5000_old_rule_model: requests(figures.modelOld),
    round_swing_period_s: round(figures.http.periodMs / 1000, 1),
    round_swing_rate_per_s: round(figures.http.requestsPerSecond, 0),
    round_swing_s: round(figures.http.seconds, 1),
  };
}
