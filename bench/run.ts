// `npm run bench`: every measure against the simulator over loopback HTTP with a fixed seed, each with its
// baseline from the same run. Prints a table, then (last line of stdout) one JSON object with the figures.
// Progress goes to stderr so stdout stays the table and the JSON.
import { cpus, loadavg } from 'node:os';
import { measureCommands } from './commands.js';
import { CYCLE_CONCURRENCY, measureCycles } from './cycle.js';
import { measureDiffPersist } from './diffPersist.js';
import { measureFanout } from './fanout.js';
import { APP_BURST, elapsedMs, gc, round, row, type Row } from './support.js';

const started = process.hrtime.bigint();
// Other work on the machine skews every timing here: say how busy it was.
const loadAtStart = loadavg()[0] ?? 0;
const progress = (text: string) => process.stderr.write(`[bench ${round(elapsedMs(started) / 1000, 1)} s] ${text}\n`);

// Diff and persist first, so the peak RSS it reports is its own and not the other measures'.
progress('2. diff and persist (10,000 customers)');
const diff = await measureDiffPersist();
gc();
progress('1. poll cycle throughput (N = 1,000 / 5,000 / 500, naive loop, sweep)');
const cycles = await measureCycles();
gc();
progress('3. command latency (200 "status for" messages)');
const commands = await measureCommands();
gc();
progress('4. fan-out (1 incident, 500 customers, 50 channels)');
const fanout = await measureFanout();
const totalSeconds = elapsedMs(started) / 1000;
progress('done');

const sections: [string, Row[]][] = [
  [`1. Poll cycle throughput (simulator 50 ms latency, 200/s limit; client budget 200/s less 5% headroom, bucket of ${APP_BURST}, concurrency ${CYCLE_CONCURRENCY})`, cycles.rows],
  ['2. Diff and persist (10,000 customers x 3 incidents x 5 messages)', diff.rows],
  ['3. Command latency (over HTTP to /api/messages, simulator 50 ms latency)', commands.rows],
  ["4. Fan-out (fake Bot Connector with Teams' 7/s per conversation)", fanout.rows],
  [
    'Process',
    [
      row('peak RSS at the end of the run', `${round(process.resourceUsage().maxRSS / 1024, 0)} MB`),
      row('total bench time', `${round(totalSeconds, 1)} s`, '< 300 s', totalSeconds < 300),
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
const figures = {
  cycle_ratio_1000: round(c.at1000.ratio, 3),
  cycle_ratio_5000: round(c.at5000.ratio, 3),
  cycle_429s_5000: c.at5000.throttled,
  naive_speedup_500: round(c.naiveSpeedup500, 2),
  diff_ms: round(diff.figures.diffMs, 1),
  write_ms: round(diff.figures.writeMs, 1),
  state_mb: round(diff.figures.stateMb, 2),
  rss_mb: round(diff.figures.rssMb, 0),
  cmd_p50_ms: round(commands.figures.p50, 1),
  cmd_p95_ms: round(commands.figures.p95, 1),
  cmd_p99_ms: round(commands.figures.p99, 1),
  cmd_pc_requests: round(commands.figures.pcRequests, 2),
  fanout_cards: fanout.figures.cards,
  fanout_s: round(fanout.figures.deliverySeconds, 3),
  fanout_429s: fanout.figures.throttled,
  // Supporting figures: the baselines and what explains the headline ones.
  cycle_concurrency: CYCLE_CONCURRENCY,
  cycle_s_1000: round(c.at1000.wallMs / 1000, 2),
  cycle_s_5000: round(c.at5000.wallMs / 1000, 2),
  cycle_requests_1000: c.at1000.requests,
  cycle_requests_5000: c.at5000.requests,
  cycle_429s_1000: c.at1000.throttled,
  cycle_ratio_500: round(c.at500.ratio, 3),
  naive_ratio_500: round(c.naive500.ratio, 3),
  sweep: c.sweep.map((run) => ({
    customers: run.customers,
    concurrency: run.concurrency,
    burst: run.burst,
    budget_per_s: run.budgetPerSecond,
    ratio: round(run.ratio, 3),
    throttled: run.throttled,
  })),
  diff_baseline_ms: round(diff.figures.diffBaselineMs, 1),
  write_baseline_ms: round(diff.figures.writeBaselineMs, 1),
  cmd_baseline_p50_ms: round(commands.figures.baselineP50, 1),
  cmd_baseline_p95_ms: round(commands.figures.baselineP95, 1),
  fanout_bound_s: round(fanout.figures.boundSeconds, 2),
  fanout_cycle_s: round(fanout.figures.cycleSeconds, 2),
  fanout_card_kb: round(fanout.figures.largestCardKb, 1),
  rss_end_mb: round(process.resourceUsage().maxRSS / 1024, 0),
  bench_s: round(totalSeconds, 1),
  load_start: round(loadAtStart, 2),
  load_end: round(loadavg()[0] ?? 0, 2),
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
