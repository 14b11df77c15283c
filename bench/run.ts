// `npm run bench`: every measure against the simulator over loopback HTTP with a fixed seed, each with its
// baseline from the same run. Prints a table, then (last line of stdout) one JSON object with the figures.
// Progress goes to stderr so stdout stays the table and the JSON.
import { cpus, loadavg } from 'node:os';
import { measureCommands } from './commands.js';
import { CYCLE_CONCURRENCY, cyclesSection, measureCycles, measureNaive500 } from './cycle.js';
import { measureDiffPersist } from './diffPersist.js';
import { failoverJson, failoverSupportJson, measureFailover } from './failover.js';
import { measureFanout } from './fanout.js';
import { FAST_LANE_MINUTES, measureLive } from './live.js';
import { measurePostgres } from './postgres.js';
import { measureRoundSwing, roundSwingJson } from './roundSwing.js';
import { lagOf, runFull, scaleSection, searchLargest } from './scale.js';
import { GROWTH_LARGE, GROWTH_SMALL, growthRatio, growthRows, measureGrowth } from './memoryGrowth.js';
import { followerValid } from './follower.js';
import { measureStall } from './stall.js';
import { measureSubscriptionDiff } from './subscriptionDiff.js';
import { measureTicketFanout } from './tickets.js';
import { measureAccessDiff } from './accessDiff.js';
import { elapsedMs, gc, round, row, type Row } from './support.js';
import { measureWebhookIsolation } from './webhookIsolation.js';

const started = process.hrtime.bigint();
/**
 * The whole run, on a quiet machine: ~5 minutes to the end of the lowdb scale run; the PostgreSQL memory
 * growth runs, ~2.5 minutes (the 100,000-customer run; the 25,000 run, the lowdb scale search and the naive
 * loop beside it); the failover measure ~45 s (mostly waiting out the dead leader's 30 s lease) with the
 * ticket fan-out beside it (at least 50 s by construction); the PostgreSQL measures ~1.5 minutes. The issue's
 * limit is 10 minutes; the 540 s kept before the memory growth runs came in is no longer reachable without
 * cutting other measures.
 */
const BENCH_TARGET_S = 600;
// Other work on the machine skews every timing here: say how busy it was.
const loadAtStart = loadavg()[0] ?? 0;
const progress = (text: string) => process.stderr.write(`[bench ${round(elapsedMs(started) / 1000, 1)} s] ${text}\n`);

// Diff and persist first, so the peak RSS it reports is its own and not the other measures'.
progress('2. diff and persist (10,000 customers), one batch commit');
const diff = await measureDiffPersist();
gc();
progress('2b. subscription diff (10,000 customers x 8 subscriptions)');
const subscriptionDiff = await measureSubscriptionDiff();
gc();
progress('2c. access diff (50,000 GDAP relationships)');
const accessDiff = await measureAccessDiff();
gc();
progress('1. sweep throughput (N = 1,000 / 500, fetch workers; the naive loop later, beside the PostgreSQL memory growth runs)');
const cyclesPart = await measureCycles();
gc();
progress('3. command latency (200 "status for" messages)');
const commands = await measureCommands();
gc();
// Stall isolation, the fan-out and webhook isolation wait on their receivers far more than they compute
// (0.15 s of 0.3, 0.7 s of 1.5 and 0.03 s of 2 are their figures): they run while the fast lane (5c) waits
// its 36 s out, the fan-out and webhooks side by side.
const live = await measureLive(progress, async () => {
  progress('8. stall isolation (a 429 Retry-After 3600 channel and a hung one beside a healthy one), beside 5c');
  const stalled = await measureStall();
  progress('4. fan-out (1 incident, 500 customers, 50 channels), beside 8c. webhook isolation (one webhook URL hanging, one healthy; 100 events), beside 5c');
  const [fanned, hooks] = await Promise.all([measureFanout(), measureWebhookIsolation()]);
  return { stalled, fanned, hooks };
});
const { stalled: stall, fanned: fanout, hooks: webhooks } = live.beside;
gc();
const scaleFull = await runFull(progress);
gc();
// Beside the PostgreSQL memory growth runs (pg_rss_ratio_100k_25k: RSS after the rounds, each app in a
// process of its own), what only waits: measure 1's naive loop (one request at a time, each waiting 50 ms on
// the simulator). Not the ticket fan-out: beside these runs it took 1.5 times as long (1.1 alone).
progress(
  `11. PostgreSQL memory growth: ${GROWTH_LARGE.toLocaleString('en-US')} and ${GROWTH_SMALL.toLocaleString('en-US')} customers (child processes), 1. the naive loop and 10. the round swing beside`,
);
// The round swing (10) counts requests per round, whatever their pace, so it runs here too, in this process,
// while the growth runs' apps run in theirs.
const [growth, naive500, swing] = await Promise.all([measureGrowth(), measureNaive500(), measureRoundSwing(progress)]);
// Measure 9's search for the largest N at which lowdb holds both targets costs two or three more scale runs
// (about 80 s): asked for with BENCH_LOWDB_SEARCH=1, run alone, so that the bench stays under 10 minutes.
const lowdbSearch = process.env.BENCH_LOWDB_SEARCH === '1';
const tried = lowdbSearch ? await searchLargest(scaleFull, progress) : null;
const scale = scaleSection(scaleFull, tried);
const cycles = cyclesSection(cyclesPart, naive500, ' (run beside the PostgreSQL memory growth runs, section 8c)');
gc();
// Failover before measure 11: it uses the PostgreSQL server the growth runs started (test/support/postgres.ts
// hands the same one to every caller), and leaves it running for measure 11, which stops it. Its bot processes are gone by then.
// The ticket fan-out runs beside it: it waits on the PSA fake's 10 requests a second (50 s by construction),
// failover on the dead leader's 30 s lease, and neither keeps the CPU busy, so the bench stays under 10 minutes.
progress('10. ticket fan-out (1 incident, 500 customers, PSA fake at 50 ms and 10 requests/s; ≥ 50 s by construction), beside measure 12');
const [failover, ticketFanout] = await Promise.all([measureFailover(progress, { stopServer: false }), measureTicketFanout()]);
gc();
// Last: its scale run's baseline is measure 9's lowdb run above, and it uses (or starts) the PostgreSQL server.
const postgres = await measurePostgres(progress, scale.figures.full);
const totalSeconds = elapsedMs(started) / 1000;
progress('done');

const l = live.figures;
const s = scale.figures;
const sections: [string, Row[]][] = [
  [
    `1. Sweep throughput: one full round (simulator 50 ms latency, 200/s limit; app budget 200/s less 5% headroom, ${CYCLE_CONCURRENCY} fetch workers)`,
    [...cycles.rows.slice(0, 3), ...live.rows.cycle, ...cycles.rows.slice(3)],
  ],
  ['2. Diff and persist (10,000 customers x 3 incidents x 5 messages)', diff.rows],
  ['2b. Subscription diff (10,000 customers x 8 subscriptions, 1% changed)', subscriptionDiff.rows],
  ['2c. Access diff (50,000 GDAP relationships, 1% changed)', accessDiff.rows],
  ['3. Command latency (over HTTP to /api/messages, simulator 50 ms latency)', [...commands.rows, ...live.rows.busy]],
  ["4. Fan-out (fake Bot Connector with Teams' 7/s per conversation; replies spaced 60 s, edits 10 s, as in production)", fanout.rows],
  [
    '5. Alerts from the live engine (5,000 customers, watch all, 200/s; a stalled-conversation test at 1,000)',
    [...live.rows.alerts, ...stall.rows(l.fetchToCardP95)],
  ],
  ['5c. Webhooks (issue 20): one URL never answers, another is healthy (200 customers, 4 rounds of 25 changes)', webhooks.rows],
  [`6. Fast lane (schedule on, FAST_LANE_MINUTES=${FAST_LANE_MINUTES}, FAST_LANE_SHARE=0.5, 200/s)`, live.rows.fast],
  ['7. Scale (child processes: the app in one, the simulator in another)', scale.rows],
  ['7b. Round swing (issue 22): periodic items spread over their period (simulator 5 ms latency; rounds back to back)', swing.rows],
  ['8. PostgreSQL (issue 11): 50,000 customers on the PostgreSQL store, lowdb beside it from this run', postgres.rows],
  ['8b. PostgreSQL failover: two bot processes on one database, the leader killed mid-round (kill -9); lowdb restarted beside it', failover.rows],
  ['8c. PostgreSQL memory as customers grow (issue 22): two scale runs on fresh databases, side by side', growthRows(growth)],
  ['10. PSA ticket fan-out (ConnectWise PSA fake: 50 ms latency, 10 requests/s; TICKET_REQUESTS_PER_MINUTE=600)', ticketFanout.rows],
  [
    'Process',
    [
      row('peak RSS at the end of the run (this process)', `${round(process.resourceUsage().maxRSS / 1024, 0)} MB`),
      row('total bench time', `${round(totalSeconds, 1)} s`, `< ${BENCH_TARGET_S} s`, totalSeconds < BENCH_TARGET_S),
      row('machine: cores / load average (1 min) at start, end', `${cpus().length} / ${round(loadAtStart, 2)}, ${round(loadavg()[0] ?? 0, 2)}`),
    ],
  ],
];

const verdict = (ok: boolean | null) => (ok === null ? '' : ok ? 'ok' : 'MISS');
const all = sections.flatMap(([, rows]) => rows);
const header: Row = { measure: 'measure', value: 'value', target: 'target', ok: null };
const widths = {
  measure: Math.max(header.measure.length, ...all.map((r) => r.measure.length)),
  value: Math.max(header.value.length, ...all.map((r) => r.value.length)),
  target: Math.max(header.target.length, ...all.map((r) => r.target.length)),
};
const line = (r: Row, ok = verdict(r.ok)) =>
  `${r.measure.padEnd(widths.measure)}  ${r.value.padEnd(widths.value)}  ${r.target.padEnd(widths.target)}  ${ok}`.trimEnd();
const rule = '-'.repeat(widths.measure + widths.value + widths.target + 12);

const out: string[] = [line(header, 'ok/miss'), rule];
for (const [title, rows] of sections) {
  out.push(title);
  for (const r of rows) out.push(line(r));
  out.push('');
}
const misses = all.filter((r) => r.ok === false).length;
out.push(misses === 0 ? 'All targets met.' : `${misses} target(s) missed.`);
process.stdout.write(`${out.join('\n')}\n`);

const c = cycles.figures;
const pg = postgres.figures;
const pgScale = pg.scale;
/** A figure of the PostgreSQL section: null when it was not measured. */
const maybe = (value: number | null | undefined, digits: number) => (value === null || value === undefined ? null : round(value, digits));
const figures = {
  // Headline figures (targets in the table).
  ...subscriptionDiff.json,
  ...accessDiff.json,
  cycle_ratio_1000: round(c.at1000.ratio, 3),
  cycle_ratio_5000: round(l.roundB.ratio, 3),
  cycle_429s_5000: l.roundB.throttled,
  naive_speedup_500: round(c.naiveSpeedup500, 2),
  diff_ms: round(diff.figures.diffMs, 1),
  write_ms: round(diff.figures.writeMs, 1),
  write_ms_batch_10k: round(diff.figures.batchMs, 1),
  state_mb: round(diff.figures.stateMb, 2),
  rss_mb: round(diff.figures.rssMb, 0),
  cmd_p50_ms: round(commands.figures.p50, 1),
  cmd_p95_ms: round(commands.figures.p95, 1),
  cmd_p99_ms: round(commands.figures.p99, 1),
  cmd_pc_requests: round(commands.figures.pcRequests, 2),
  cmd_busy_ratio: round(l.cmdBusyRatio, 3),
  ticket_fanout_ratio: round(ticketFanout.figures.ratio, 3),
  fanout_cards: fanout.figures.cards,
  fanout_s: round(fanout.figures.deliverySeconds, 3),
  fanout_429s: fanout.figures.throttled,
  fetch_to_card_p95_s: round(l.fetchToCardP95, 3),
  alert_ratio: round(l.alertRatio, 3),
  stall_isolation_s: round(stall.figures.isolationS, 3),
  ...webhooks.json,
  fast_lane_max_s: round(l.fastLaneMaxS, 2),
  fast_lane_target_s: round(l.fastLaneTargetS, 2),
  loop_lag_max_ms_50k: round(lagOf(s.full), 0),
  rss_mb_50k: round(s.full.rssMb, 0),
  scale_largest_ok_n: s.largestOk,
  pg_commit_ms_batch_50k: maybe(pg.pgCommitMs, 1),
  pg_commit_ms_wide_thread_50k: maybe(pg.wideThread?.ms, 1),
  pg_rss_mb_50k: maybe(pgScale?.rssMb, 0),
  pg_loop_lag_max_ms_50k: maybe(pgScale ? lagOf(pgScale) : null, 0),
  follower_rss_mb_50k: pgScale?.follower && followerValid(pgScale.follower) ? round(pgScale.follower.rssMb, 0) : null,
  pg_rss_ratio_100k_25k: maybe(growthRatio(growth), 3),
  pg_commit_parallel_ratio: maybe(pg.parallel?.ratio, 3),
  ...failoverJson(failover.figures),
  round_swing_ratio_5000: round(swing.figures.http.ratio, 3),
  // Supporting figures: the baselines and what explains the headline ones.
  cycle_concurrency: CYCLE_CONCURRENCY,
  cycle_s_1000: round(c.at1000.wallMs / 1000, 2),
  cycle_s_5000: round(l.roundB.wallMs / 1000, 2),
  cycle_requests_1000: c.at1000.requests,
  cycle_requests_5000: l.roundB.requests,
  cycle_429s_1000: c.at1000.throttled,
  cycle_ratio_500: round(c.at500.ratio, 3),
  cycle_ratio_5000_first: round(l.roundA.ratio, 3),
  naive_ratio_500: round(c.naive500.ratio, 3),
  budget_sweep_rate_per_s: round(c.budgetRate, 1),
  budget_sweep_rate_burst8_per_s: round(c.budgetRateBurst8, 1),
  sweep: c.sweep.map((run) => ({ customers: run.customers, concurrency: run.concurrency, ratio: round(run.ratio, 3), throttled: run.throttled })),
  diff_baseline_ms: round(diff.figures.diffBaselineMs, 1),
  write_baseline_ms: round(diff.figures.writeBaselineMs, 1),
  write_ms_batch_empty: round(diff.figures.batchBaselineMs, 1),
  cmd_baseline_p50_ms: round(commands.figures.baselineP50, 1),
  cmd_baseline_p95_ms: round(commands.figures.baselineP95, 1),
  cmd_busy_p95_ms: round(l.cmdBusyP95, 1),
  cmd_idle_p95_ms: round(l.cmdIdleP95, 1),
  cmd_busy_count: l.cmdBusyCount,
  cmd_busy_rate_per_s: round(l.busyRequestRate, 1),
  cmd_busy_sweep_queued_min: l.busySweepQueuedMin,
  fanout_bound_s: round(fanout.figures.boundSeconds, 2),
  fanout_spread_s: round(fanout.figures.spreadSeconds, 2),
  fanout_cycle_s: round(fanout.figures.cycleSeconds, 2),
  fanout_card_kb: round(fanout.figures.largestCardKb, 1),
  fetch_to_card_p50_s: round(l.fetchToCardP50, 3),
  fetch_to_card_max_s: round(l.fetchToCardMax, 3),
  fetch_to_card_changes: l.cardsFound,
  alert_mean_s: round(l.alertMeanS, 2),
  alert_reach_mean_s: round(l.alertReachMeanS, 2),
  stall_per_change_s: stall.figures.perChangeS.map((v) => round(v, 3)),
  fast_lane_p95_s: round(l.fastLaneP95S, 2),
  fast_lane_engine_max_s: round(l.fastLaneEngineMaxS, 2),
  fast_lane_share_needed: round(l.fastLaneShareNeeded, 3),
  fast_lane_rate_all_per_s: round(l.fastLaneRates.all, 1),
  fast_lane_rate_active_per_s: round(l.fastLaneRates.active, 1),
  loop_lag_max_ms_50k_first_round: round(s.full.rounds[0]?.lagMaxMs ?? 0, 0),
  rss_mb_50k_before: round(s.full.rssBeforeMb, 0),
  rss_mb_50k_peak: round(s.full.peakRssMb, 0),
  state_mb_50k: round(s.full.stateMb, 1),
  round_s_50k: s.full.rounds.map((r) => round(r.seconds, 1)),
  stall_ms_50k: s.full.blocking.worst.map((w) => w.ms),
  stall_top_50k: s.full.blocking.top,
  stringify_ms_50k: round(s.full.stringifyMs, 0),
  change_max_ms_50k: round(s.full.rounds[1]?.changes.maxMs ?? 0, 0),
  card_render_ms_50k: round(s.full.cardRenderMs, 0),
  scale_tried: s.tried.map((r) => ({ customers: r.customers, lag_max_ms: round(lagOf(r), 0), rss_mb: round(r.rssMb, 0), round_s: r.rounds.map((x) => round(x.seconds, 1)) })),
  heap_mb_50k_after_gc: round(s.full.heapAfterGcMb, 0),
  directory_heap_mb_50k: round(s.full.directoryHeapMb, 1),
  lowdb_commit_ms_batch_50k: maybe(pg.lowdbCommitMs, 1),
  pg_commit_ms_batch_empty: maybe(pg.pgCommitEmptyMs, 1),
  pg_commit_phases_ms: pg.phases ? Object.fromEntries(Object.entries(pg.phases).map(([phase, ms]) => [phase, round(ms, 2)])) : null,
  pg_commit_events: pg.pgCommitEvents,
  pg_commit_wide_thread_phases_ms: pg.wideThread ? Object.fromEntries(Object.entries(pg.wideThread.phases).map(([phase, ms]) => [phase, round(ms, 2)])) : null,
  pg_commit_wide_thread_events: pg.wideThread?.events ?? null,
  pg_seed_s_50k: maybe(pg.pgSeedS, 1),
  lowdb_seed_s_50k: maybe(pg.lowdbSeedS, 1),
  pg_rss_mb_50k_before: maybe(pgScale?.rssBeforeMb, 0),
  pg_rss_mb_50k_peak: maybe(pgScale?.peakRssMb, 0),
  pg_heap_mb_50k_after_gc: maybe(pgScale?.heapAfterGcMb, 0),
  pg_loop_lag_max_ms_50k_first_round: maybe(pgScale?.rounds[0]?.lagMaxMs, 0),
  pg_round_s_50k: pgScale ? pgScale.rounds.map((r) => round(r.seconds, 1)) : null,
  pg_change_max_ms_50k: maybe(pgScale?.rounds[1]?.changes.maxMs, 0),
  pg_stall_top_50k: pgScale?.blocking.top ?? null,
  follower_heap_mb_50k_after_gc: maybe(pgScale?.follower?.heapAfterGcMb, 0),
  follower_leading_50k: pgScale?.follower ? { healthz: pgScale.follower.healthLeading, lease: pgScale.follower.leaseLeading } : null,
  follower_commands_ok_50k: pgScale?.follower ? pgScale.follower.commands.filter((c) => c.ok).length : null,
  follower_error_50k: pgScale?.follower?.error ?? null,
  pg_rss_mb_100k: maybe(growth.large?.rssMb, 0),
  pg_rss_mb_25k: maybe(growth.small?.rssMb, 0),
  pg_heap_mb_100k_after_gc: maybe(growth.large?.heapAfterGcMb, 0),
  pg_heap_mb_25k_after_gc: maybe(growth.small?.heapAfterGcMb, 0),
  pg_growth_not_measured: growth.missing,
  pg_commit_parallel_s: pg.parallel ? round(pg.parallel.togetherMs / 1000, 2) : null,
  pg_commit_parallel_alone_s: pg.parallel ? pg.parallel.aloneMs.map((ms) => round(ms / 1000, 2)) : null,
  pg_commit_parallel_control_ratio: maybe(pg.parallel?.controlRatio, 3),
  pg_commit_parallel_samples: pg.parallel ? { all: pg.parallel.samples, both_writing: pg.parallel.bothWriting, lock_waits: pg.parallel.lockWaits, control_both_writing: pg.parallel.controlBothWriting } : null,
  pg_commit_parallel_not_measured: pg.parallelMissing,
  pg_server_version: pg.serverVersion,
  pg_not_measured: pg.missing,
  ...failoverSupportJson(failover.figures),
  ...roundSwingJson(swing.figures),
  rss_end_mb: round(process.resourceUsage().maxRSS / 1024, 0),
  bench_s: round(totalSeconds, 1),
  load_start: round(loadAtStart, 2),
  load_end: round(loadavg()[0] ?? 0, 2),
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
// A measure that left something running (e.g. a hung connection it reported) must not keep the bench alive.
process.exit(0);
