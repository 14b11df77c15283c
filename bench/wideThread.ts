// Measure 11 (c): one batch commit on the PostgreSQL store while a Microsoft-wide incident's card threads list
// every one of the 50,000 customers, in each of 4 conversations (issue 22). The ordinary batch commit
// (measure 11 (a)) never has such a thread; here every timed batch also brings the wide incident for its 25
// customers, so routing touches all 4 wide threads, as it does in the hours such an incident lasts.
// A commit's cost should follow what the batch changed (25 customers per thread), not the threads' size.
import type { Incident } from '../src/domain/types.js';
import { threadKey, type IncidentThread, type ThreadCustomer } from '../src/store/state.js';
import type { StateStore } from '../src/store/stateStore.js';
import { newThread } from '../src/sources/incidents/routing.js';
import { BATCH_RUNS, customerId, customerIncidents, HOUR, REFERENCE } from './diffPersist.js';
import type { PhasedCommits } from './postgres.js';
import { FULL } from './scale.js';
import { channelTarget, round, row, watchAll, type Row } from './support.js';

export const WIDE_CONVERSATIONS = 4;
/** Issue 22's target for pg_commit_ms_wide_thread_50k. */
export const WIDE_COMMIT_TARGET_MS = 50;
export const WIDE_INCIDENT_ID = 'EX999001';
/** Thread customers per store.update while seeding (each one transaction of 1,000-row INSERTs). */
const SEED_CUSTOMERS = 25_000;

/** The Microsoft-wide incident as customer `c`'s fetch reports it. */
export function wideIncident(c: number): Incident {
  const start = REFERENCE - 3 * HOUR;
  return {
    id: WIDE_INCIDENT_ID,
    customerId: customerId(c),
    kind: 'incident',
    workload: 'Exchange Online',
    title: 'Users may be unable to send or receive email in Exchange Online',
    severity: 'critical',
    status: 'critical',
    startTime: new Date(start).toISOString(),
    endTime: null,
    resolved: false,
    messages: [{ publishedTime: new Date(start).toISOString(), text: 'We are investigating a Microsoft-wide problem with mail flow.' }],
  };
}

/** What a timed batch fetches for customer `c`: its usual incidents plus the wide one. */
export const withWideIncident = (c: number): Incident[] => [...customerIncidents(c), wideIncident(c)];

/**
 * The wide incident's card in WIDE_CONVERSATIONS conversations (the first is measure 11a's watchEverything
 * channel; the others are added, each watching everything), every card listing all FULL customers.
 */
export async function seedWideThreads(store: StateStore): Promise<void> {
  const at = new Date(REFERENCE - 2 * HOUR).toISOString();
  const targets = Array.from({ length: WIDE_CONVERSATIONS }, (_, i) => channelTarget(i, 'http://127.0.0.1:9/'));
  await store.update((draft) => {
    for (const target of targets.slice(1)) {
      draft.targets[target.key] = target;
      draft.watches.push(watchAll(target.key));
    }
    for (const target of targets) {
      const key = threadKey(target.key, WIDE_INCIDENT_ID);
      const thread: IncidentThread = { ...newThread(key, target.key, { incident: wideIncident(0) }, at), activityId: `bench-activity-${target.key}`, lastSentAt: at, open: FULL };
      draft.threads[key] = thread;
    }
  }, { load: { threads: targets.map((target) => threadKey(target.key, WIDE_INCIDENT_ID)) } });
  // Customers in chunks: one transaction of 200,000 rows would hold them all in one statement list.
  for (let from = 0; from < FULL; from += SEED_CUSTOMERS) {
    await store.update((draft) => {
      for (const target of targets) {
        const customers = (draft.threads[threadKey(target.key, WIDE_INCIDENT_ID)] as IncidentThread).customers;
        for (let c = from; c < Math.min(FULL, from + SEED_CUSTOMERS); c++) {
          const customer: ThreadCustomer = { name: customerId(c), resolved: false, vanished: false };
          customers[customerId(c)] = customer;
        }
      }
      // The cards' heads, none of their customers read: these are new rows.
    }, { load: { threads: { keys: targets.map((target) => threadKey(target.key, WIDE_INCIDENT_ID)), only: [] } } });
  }
}

/** The table's rows: the wide-thread commit beside the ordinary one of the same run (`baselineMs`). */
export function wideThreadRows(wide: PhasedCommits | null, baselineMs: number | null, not?: string): Row[] {
  const measure = `one batch commit while one incident's threads list all ${FULL} customers in ${WIDE_CONVERSATIONS} conversations, PostgreSQL`;
  if (!wide) return [row(measure, not ?? 'not measured', `<= ${WIDE_COMMIT_TARGET_MS} ms`)];
  const p = wide.phases;
  return [
    row(
      measure,
      `${round(wide.ms, 1)} ms (min ${round(Math.min(...wide.times), 1)}, max ${round(Math.max(...wide.times), 1)}; ${wide.events} events in ${BATCH_RUNS} commits)`,
      `<= ${WIDE_COMMIT_TARGET_MS} ms`,
      wide.ms <= WIDE_COMMIT_TARGET_MS,
    ),
    row('  baseline: the ordinary batch commit above (no wide thread), this run', `${round(baselineMs ?? Number.NaN, 1)} ms`),
    row(
      '  of a wide-thread commit (means): change / compare (changesOf) / catch-up SELECTs / INSERTs / other round trips / waiting its turn',
      `${[p.change, p.compare, p.catchUp, p.write, p.transaction - p.change - p.compare - p.catchUp - p.write, p.total - p.transaction].map((v) => round(v, 1)).join(' / ')} ms of ${round(p.total, 1)}`,
    ),
  ];
}
