// GET /metrics end to end: the Prometheus text parsed as a scraper reads it; every metric the issue names
// is there with its type, counters move with real deliveries, Partner Center requests and Teams 429s, and
// gauges say what /healthz says.
import assert from 'node:assert/strict';
import { CHANNEL_ID } from '../support/activities.js';
import { install, watch } from '../support/alertSteps.js';
import { startHarness, type Harness } from '../support/harness.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** The text exposition format, as Prometheus reads it: `# TYPE name kind` and `name{label="value"} number`. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${line}`);
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((match) => [match[1]!, match[2]!]));
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

async function scrape(h: Harness): Promise<Exposition> {
  const response = await fetch(`${h.app.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parseExposition(await response.text());
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function healthz(h: Harness) {
  const response = await fetch(`${h.app.url}/healthz`);
  return (await response.json()) as {
    lanes: Record<'fast' | 'rolling', { customers: number; oldestAgeSeconds: number | null }>;
    deliveries: { pending: number };
  };
}

/** The Partner Center requests the simulator has answered (not token requests). */
function partnerCenterRequests(h: Harness): number {
  return h.sim.requests.filter((request) => request.path.startsWith('/v1/') && request.status > 0).length;
}

const NAMED = {
  partner_alerts_deliveries_total: 'counter',
  partner_alerts_partner_center_requests_total: 'counter',
  partner_alerts_outbox_depth: 'gauge',
  partner_alerts_customers: 'gauge',
  partner_alerts_data_age_seconds: 'gauge',
  partner_alerts_round_progress_ratio: 'gauge',
  partner_alerts_leader: 'gauge',
  partner_alerts_teams_throttled_total: 'counter',
};

describe('/metrics', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('exposes the default process metrics and every named partner_alerts metric with its type', async () => {
    h = await startHarness();
    const metrics = await scrape(h);
    for (const [name, type] of Object.entries(NAMED)) assert.equal(metrics.types.get(name), type, name);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_version_info']) {
      assert.ok(metrics.samples.some((sample) => sample.name === name), `default metric ${name}`);
    }
    assert.equal(total(metrics, 'partner_alerts_leader'), 1, 'a sole instance leads the sweep');
    assert.equal(total(metrics, 'partner_alerts_round_progress_ratio'), 1, 'no round in progress');
    assert.equal(total(metrics, 'partner_alerts_outbox_depth'), 0);
  });

  it('counts deliveries, Partner Center answers and Teams 429s as they happen; its gauges agree with /healthz', async () => {
    h = await startHarness();
    await h.app.directory.reload();
    const before = await scrape(h);
    const simulatorAnsweredBefore = partnerCenterRequests(h);

    // A chat command whose first Partner Center answer is a 401 (the app fetches a new token and asks again).
    h.sim.faults.add({ path: '/serviceincidents/office', status: 401, times: 1 });
    await install(h);
    await watch(h, 'watch contoso');
    const calls = h.connector.calls.length;
    assert.equal(await h.say('status for contoso'), 200);
    await h.connector.waitFor((all) => all.length > calls);

    // An incident card Teams throttles once (Retry-After 1 s, waited out): sent.
    h.sim.scenario.step();
    h.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 429, code: 'Throttled', retryAfterSeconds: 1 });
    assert.equal((await h.app.engine.sweepNow()).delivery.sent, 1);
    // Its edit throttled for an hour: deferred, and waiting in the outbox.
    h.sim.scenario.step();
    h.connector.fail({ kind: 'update', conversationId: CHANNEL_ID, status: 429, code: 'Throttled', retryAfterSeconds: 3600 });
    assert.equal((await h.app.engine.sweepNow()).delivery.deferred, 1);

    const after = await scrape(h);
    const moved = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);
    assert.equal(moved('partner_alerts_deliveries_total', { source: 'incident', result: 'sent' }), 1);
    assert.equal(moved('partner_alerts_deliveries_total', { source: 'incident', result: 'deferred' }), 1);
    assert.equal(moved('partner_alerts_teams_throttled_total'), 2);
    assert.equal(moved('partner_alerts_partner_center_requests_total', { lane: 'interactive', status: '401' }), 1);
    assert.ok(moved('partner_alerts_partner_center_requests_total', { lane: 'interactive', status: '200' }) >= 1, 'the command\'s requests');
    assert.ok(moved('partner_alerts_partner_center_requests_total', { lane: 'sweep', status: '200' }) >= 1, 'the sweep\'s requests');
    // Every attempt the simulator answered is counted once, in some lane and status.
    assert.equal(moved('partner_alerts_partner_center_requests_total'), partnerCenterRequests(h) - simulatorAnsweredBefore);

    const health = await healthz(h);
    assert.equal(total(after, 'partner_alerts_outbox_depth'), health.deliveries.pending);
    assert.ok(health.deliveries.pending >= 1, 'the deferred edit waits');
    for (const lane of ['fast', 'rolling'] as const) {
      assert.equal(total(after, 'partner_alerts_customers', { lane }), health.lanes[lane].customers, lane);
      const age = after.samples.filter((sample) => sample.name === 'partner_alerts_data_age_seconds' && sample.labels['lane'] === lane);
      assert.equal(age.length, health.lanes[lane].oldestAgeSeconds === null ? 0 : 1, `${lane}: an age only when the lane holds customers`);
    }
    assert.ok(total(after, 'partner_alerts_customers') >= 1, 'contoso is held in a lane');
  });

  it('keeps one registry per app: two apps in one process count apart', async () => {
    h = await startHarness();
    const other = await startHarness();
    try {
      await other.app.directory.reload(); // its start-up listing done: it asks Partner Center nothing more
      const before = total(await scrape(other), 'partner_alerts_partner_center_requests_total');
      await h.app.directory.reload();
      assert.equal(await h.say('status for contoso'), 200);
      assert.ok(total(await scrape(h), 'partner_alerts_partner_center_requests_total') >= 1);
      assert.equal(total(await scrape(other), 'partner_alerts_partner_center_requests_total'), before, 'the other app counted nothing');
    } finally {
      await other.close();
    }
  });
});
