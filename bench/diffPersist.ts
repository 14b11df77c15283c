// Measure 2: diff and persist. 10,000 customers × 3 incidents × 5 messages, held in memory as a round holds
// its fetches; 1% of incidents changed. Times diffIncidents over every customer (baseline: 0% changed), the
// durable state write of all snapshots through the store (baseline: JSON.stringify + writeFile without it),
// the file size, and the process's peak RSS. Then what the sweep does every ~200 ms: ONE batch commit
// (src/engine/ingest.ts commitBatch: diff + route + cursor in one store.update of ~25 results) with the
// 10,000 customers stored, against the same commit into an empty store.
import { ALL_PAGED, isPaged } from '../src/store/paged.js';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { diffIncidents, type IncidentEvent } from '../src/sources/incidents/diff.js';
import { type CustomerIncidentSnapshot } from '../src/domain/incidentRecords.js';
import { commitBatch, type FetchResult } from '../src/engine/ingest.js';
import { incidentItemKey } from '../src/sources/incidents/plan.js';
import type { Incident, Severity } from '../src/domain/types.js';
import { LowdbStateStore } from '../src/store/lowdbStore.js';
import type { StateStore } from '../src/store/stateStore.js';
import { channelTarget, elapsedMs, gc, median, round, row, tempDir, timed, watchAll, wire, type Row } from './support.js';
import { incidentSource } from '../src/sources/incidents/index.js';
import { provisioningSource } from '../src/sources/provisioning/index.js';

const CUSTOMERS = 10_000;
const INCIDENTS_PER_CUSTOMER = 3;
const MESSAGES_PER_INCIDENT = 5;
const CHANGED_SHARE = 0.01;
const DIFF_RUNS = 5;
const WRITE_RUNS = 3;
export const BATCH = 25;
export const BATCH_RUNS = 7;

const WORKLOADS = ['Exchange Online', 'Microsoft Teams', 'SharePoint Online', 'Microsoft Intune', 'OneDrive for Business'];
const SEVERITIES: Severity[] = ['information', 'warning', 'critical'];
export const HOUR = 3_600_000;
export const REFERENCE = Date.UTC(2025, 4, 12, 9, 0, 0);

export interface DiffPersistFigures {
  diffMs: number;
  diffBaselineMs: number;
  events: number;
  baselineEvents: number;
  writeMs: number;
  writeBaselineMs: number;
  stringifyMs: number;
  stateMb: number;
  rssMb: number;
  /** One commitBatch of BATCH results with CUSTOMERS stored / into an empty store (medians). */
  batchMs: number;
  batchBaselineMs: number;
  batchEvents: number;
}

export const customerId = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

/** Customer `c`'s incidents, its own copy (Partner Center answers per customer, so parsed strings are not shared). */
export function customerIncidents(c: number): Incident[] {
  const list: Incident[] = [];
  for (let k = 0; k < INCIDENTS_PER_CUSTOMER; k++) {
    const pool = (c * 7 + k * 13) % 40; // 40 Microsoft-wide incidents, three per customer
    const workload = WORKLOADS[pool % WORKLOADS.length] ?? 'Exchange Online';
    const start = REFERENCE - (pool + 6) * HOUR;
    list.push({
      id: `${workload.slice(0, 2).toUpperCase()}${String(900_000 + pool)}`,
      customerId: customerId(c),
      kind: 'incident',
      workload,
      title: `Users may be unable to use some features of ${workload} (${pool})`,
      severity: SEVERITIES[pool % SEVERITIES.length] ?? 'warning',
      status: SEVERITIES[pool % SEVERITIES.length] ?? 'warning',
      startTime: new Date(start).toISOString(),
      endTime: null,
      resolved: false,
      messages: Array.from({ length: MESSAGES_PER_INCIDENT }, (_, m) => ({
        publishedTime: new Date(start + m * HOUR).toISOString(),
        text:
          `Title: Users may be unable to use some features of ${workload}. User impact: users may see errors or delays ` +
          `when they open the service for tenant ${c}. Current status: update ${m + 1} - we are reviewing service telemetry ` +
          `and deploying a fix to the affected infrastructure. Next update by ${new Date(start + (m + 1) * HOUR).toISOString()}.`,
      })),
    });
  }
  // Round-trip through JSON: a cycle's incidents are parsed from Partner Center's answers (flat strings).
  return wire(list);
}

function buildIncidents(): Incident[][] {
  return Array.from({ length: CUSTOMERS }, (_, c) => customerIncidents(c));
}

/**
 * Customer `c`'s incidents with every `1 / share`-th incident (counted over all customers in order) changed:
 * a new update, a severity change or a resolution.
 */
export function customerChanged(c: number, list: Incident[], share = CHANGED_SHARE): Incident[] {
  const every = Math.round(1 / share);
  return list.map((incident, k) => {
    const n = c * INCIDENTS_PER_CUSTOMER + k + 1;
    if (n % every !== 0) return incident;
    const variant = (n / every) % 3;
    if (variant === 0) {
      const last = incident.messages.at(-1);
      const at = new Date(Date.parse(last?.publishedTime ?? incident.startTime) + HOUR).toISOString();
      return { ...incident, messages: [...incident.messages, { publishedTime: at, text: 'The fix is deploying; the service is recovering.' }] };
    }
    if (variant === 1) {
      const severity = incident.severity === 'critical' ? 'warning' : 'critical';
      return { ...incident, severity, status: severity };
    }
    return { ...incident, resolved: true, status: 'normal' as const, endTime: new Date(REFERENCE).toISOString() };
  });
}

/** The same fetch with 1% of incidents changed (see customerChanged). */
function withChanges(all: Incident[][], share: number): Incident[][] {
  return all.map((list, c) => customerChanged(c, list, share));
}

function diffAll(current: Incident[][], previous: Record<string, CustomerIncidentSnapshot>, at: string) {
  const events: IncidentEvent[] = [];
  const snapshots: Record<string, CustomerIncidentSnapshot> = {};
  for (let c = 0; c < current.length; c++) {
    const id = customerId(c);
    const diff = diffIncidents(id, previous[id], current[c] ?? [], at);
    events.push(...diff.events);
    snapshots[id] = diff.snapshot;
  }
  return { events, snapshots };
}

/** BATCH fetch results of customers [from, from + BATCH), as the sweep buffers them. */
function batchResults(incidents: (c: number) => Incident[], from: number): FetchResult[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const c = from + i;
    const customer = { id: customerId(c), companyName: `Customer ${c}`, domain: '', relationshipToPartner: 'reseller' as const };
    return { item: { key: incidentItemKey(customer.id), kind: 'source' as const, source: 'incidents', customer }, ok: true as const, data: incidents(c), rolling: true };
  });
}

/**
 * Median time of one commitBatch (each run a different slice of customers, in round order, moving the
 * sweep's cursor) after one untimed run. Returns the events the timed commits raised.
 */
export async function timeBatches(store: StateStore, incidents: (c: number) => Incident[]): Promise<{ ms: number; events: number; times: number[] }> {
  const times: number[] = [];
  let events = 0;
  for (let run = 0; run <= BATCH_RUNS; run++) {
    const results = batchResults(incidents, run * BATCH * 37);
    gc();
    const started = process.hrtime.bigint();
    const outcome = await commitBatch(results, {
      store,
      now: new Date(REFERENCE),
      customerName: (id) => id,
      inFlight: () => new Set(),
      batchSources: { incidents: incidentSource(), provisioning: provisioningSource() },
      sweep: (sweep) => {
        sweep.done += results.length;
        sweep.cursor = results.at(-1)?.item.key ?? null;
      },
    });
    if (run === 0) continue;
    times.push(elapsedMs(started));
    events += outcome.events;
  }
  return { ms: median(times), events, times };
}

/** A channel with "watch all", so a batch's events are routed as in the app. */
export async function watchEverything(store: StateStore): Promise<void> {
  const target = channelTarget(0, 'http://127.0.0.1:9/');
  await store.update((draft) => {
    draft.targets[target.key] = target;
    draft.watches.push(watchAll(target.key));
  });
}

export async function measureDiffPersist(): Promise<{ figures: DiffPersistFigures; rows: Row[] }> {
  const base = buildIncidents();
  const changed = withChanges(base, CHANGED_SHARE);
  const previous = diffAll(base, {}, new Date(REFERENCE - HOUR).toISOString()).snapshots;
  const at = new Date(REFERENCE).toISOString();

  const diff = await timed(DIFF_RUNS, () => diffAll(changed, previous, at));
  const baseline = await timed(DIFF_RUNS, () => diffAll(base, previous, at));
  const snapshots = diff.result.snapshots;

  const tmp = await tempDir('pa-bench-state-');
  try {
    const file = path.join(tmp.dir, 'state.json');
    const store = await LowdbStateStore.open(file);
    // The first update stores every snapshot; later ones rewrite the same state, as a quiet cycle does.
    const write = await timed(WRITE_RUNS, () =>
      store.update((draft) => {
        Object.assign(draft.incidentSnapshots, snapshots);
      }),
    );
    const stateBytes = (await stat(file)).size;
    const plain = path.join(tmp.dir, 'plain.json');
    // The records as stored, in plain maps (not copies: a deep copy of 10,000 snapshots was this measure's own peak).
    const view = await store.view(ALL_PAGED);
    const state = Object.fromEntries(Object.entries(view).map(([field, value]) => [field, isPaged(field) ? { ...(value as object) } : value]));
    const rawWrite = await timed(WRITE_RUNS, () => writeFile(plain, JSON.stringify(state)));
    const stringify = await timed(WRITE_RUNS, () => JSON.stringify(state).length);
    const rssMb = process.resourceUsage().maxRSS / 1024;

    // One batch commit with 10,000 customers stored. The store holds the changed fetch, so committing the
    // unchanged one differs in ~1% of incidents again (severity back, reopened): a few events to route.
    await watchEverything(store);
    const batch = await timeBatches(store, (c) => base[c] ?? []);
    const empty = await LowdbStateStore.open(path.join(tmp.dir, 'empty.json'));
    await watchEverything(empty);
    const batchBaseline = await timeBatches(empty, (c) => base[c] ?? []);

    const figures: DiffPersistFigures = {
      diffMs: diff.ms,
      diffBaselineMs: baseline.ms,
      events: diff.result.events.length,
      baselineEvents: baseline.result.events.length,
      writeMs: write.ms,
      writeBaselineMs: rawWrite.ms,
      stringifyMs: stringify.ms,
      stateMb: stateBytes / 1024 / 1024,
      rssMb,
      batchMs: batch.ms,
      batchBaselineMs: batchBaseline.ms,
      batchEvents: batch.events,
    };
    const incidents = CUSTOMERS * INCIDENTS_PER_CUSTOMER;
    const rows: Row[] = [
      row(`diff ${CUSTOMERS} customers, 1% of ${incidents} incidents changed`, `${round(figures.diffMs, 1)} ms (${figures.events} events)`, '< 100 ms', figures.diffMs < 100),
      row('  baseline: diff with 0% changed', `${round(figures.diffBaselineMs, 1)} ms (${figures.baselineEvents} events)`),
      row('state write, all snapshots (store.update)', `${round(figures.writeMs, 1)} ms`, '< 250 ms', figures.writeMs < 250),
      row('  baseline: JSON.stringify + writeFile', `${round(figures.writeBaselineMs, 1)} ms`),
      row('  of which JSON.stringify', `${round(figures.stringifyMs, 1)} ms`),
      row('state file size', `${round(figures.stateMb, 2)} MB`, '< 20 MB', figures.stateMb < 20),
      row('peak RSS after diff + write', `${round(figures.rssMb, 0)} MB`, '< 250 MB', figures.rssMb < 250),
      row(
        `one batch commit (commitBatch, ${BATCH} results) with ${CUSTOMERS} customers stored`,
        `${round(figures.batchMs, 1)} ms (${figures.batchEvents} events in ${BATCH_RUNS} commits)`,
        '<= 100 ms',
        figures.batchMs <= 100,
      ),
      row('  baseline: the same commit into an empty store', `${round(figures.batchBaselineMs, 1)} ms`),
    ];
    return { figures, rows };
  } finally {
    await tmp.remove();
  }
}
