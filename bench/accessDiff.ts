// Measure: the GDAP access diff. 50,000 relationships (one listing of a large partner: 25,000 customers × 2),
// held in memory as a listing holds them (parsed from Graph-shaped JSON, so no strings are shared); 1% of the
// relationships changed (terminated, end moved within 7 days, pending for 9 days, assignments read with no
// group). Times diffAccess over the whole listing; the baseline is the same diff with nothing changed.
// Target: ≤ 100 ms.
import { diffAccess } from '../src/sources/access/diff.js';
import type { AccessGroup, AccessSnapshot, Relationship } from '../src/sources/access/model.js';
import { readRelationships } from '../src/sources/access/read.js';
import { row, timed, type Row } from './support.js';

const CUSTOMERS = 25_000;
const PER_CUSTOMER = 2;
const CHANGED_SHARE = 0.01;
const RUNS = 5;
const TARGET_MS = 100;

const DAY = 86_400_000;
const REFERENCE = Date.UTC(2026, 10, 14, 9, 0, 0);
const ROLES = ['f2ef992c-3afb-46b9-b7cf-a126ee74c451', '729827e3-9c14-49f7-bb1b-9608f156bbb8', 'f023fd81-a637-4b56-95fd-791ac0226033'];

const customerId = (c: number) => `00000000-0000-4000-8000-${String(c).padStart(12, '0')}`;
const graphTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

/** The listing as Graph writes it, read as the source reads it. */
function buildListing(): Relationship[] {
  const wire: unknown[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    for (let k = 0; k < PER_CUSTOMER; k++) {
      const end = REFERENCE + (40 + ((c * 31 + k * 17) % 690)) * DAY;
      wire.push({
        id: `${customerId(c)}-${String(k).padStart(12, '0')}`,
        displayName: `Customer ${c} ${k === 0 ? 'support' : 'readers'}`,
        duration: 'P730D',
        status: 'active',
        autoExtendDuration: (c + k) % 3 === 0 ? 'P180D' : 'PT0S',
        createdDateTime: graphTime(end - 731 * DAY),
        activatedDateTime: graphTime(end - 730 * DAY),
        lastModifiedDateTime: graphTime(end - 730 * DAY),
        endDateTime: graphTime(end),
        customer: { tenantId: customerId(c), displayName: `Customer ${c}` },
        accessDetails: { unifiedRoles: ROLES.map((roleDefinitionId) => ({ roleDefinitionId })) },
      });
    }
  }
  return readRelationships(JSON.parse(JSON.stringify(wire)) as unknown[]);
}

/** The same listing with every `1 / share`-th relationship changed, in four ways; and the assignments read. */
function withChanges(all: Relationship[], share: number): { relationships: Relationship[]; assignments: Record<string, AccessGroup[]> } {
  const every = Math.round(1 / share);
  const assignments: Record<string, AccessGroup[]> = {};
  const relationships = all.map((r, n) => {
    if ((n + 1) % every !== 0) return r;
    const variant = ((n + 1) / every) % 4;
    if (variant === 0) return { ...r, status: 'terminated', lastModified: new Date(REFERENCE).toISOString() };
    if (variant === 1) return { ...r, autoExtend: false, endDay: new Date(REFERENCE + 6 * DAY).toISOString().slice(0, 10) };
    if (variant === 2) return { ...r, status: 'approvalPending', endDay: null, createdAt: new Date(REFERENCE - 9 * DAY).toISOString() };
    assignments[r.id] = [];
    return { ...r, lastModified: new Date(REFERENCE).toISOString() };
  });
  return { relationships, assignments };
}

function diffAll(relationships: Relationship[], assignments: Record<string, AccessGroup[]>, previous: Map<string, AccessSnapshot>, at: string, baseline: boolean) {
  return diffAccess({ previous: (id) => previous.get(id), knownCustomerIds: previous.keys(), relationships, assignments, fetchedAt: at, baseline, warnDays: 30 });
}

export async function measureAccessDiff(): Promise<{ rows: Row[]; json: { access_diff_ms_50k: number; access_diff_baseline_ms_50k: number } }> {
  const base = buildListing();
  const changed = withChanges(base, CHANGED_SHARE);
  const first = diffAll(base, {}, new Map(), new Date(REFERENCE - 3_600_000).toISOString(), true);
  const previous = new Map(first.changed.map((snapshot) => [snapshot.customerId, snapshot]));
  const at = new Date(REFERENCE).toISOString();

  const diff = await timed(RUNS, () => diffAll(changed.relationships, changed.assignments, previous, at, false));
  const baseline = await timed(RUNS, () => diffAll(base, {}, previous, at, false));
  const ms = Number(diff.ms.toFixed(1));
  const baselineMs = Number(baseline.ms.toFixed(1));
  const rows: Row[] = [
    row(
      `access diff, ${base.length.toLocaleString('en-US')} relationships of ${CUSTOMERS.toLocaleString('en-US')} customers, ${CHANGED_SHARE * 100}% changed`,
      `${ms} ms (${diff.result.events.length.toLocaleString('en-US')} events, ${diff.result.changed.length.toLocaleString('en-US')} snapshots written)`,
      `≤ ${TARGET_MS} ms`,
      ms <= TARGET_MS,
    ),
    row('  baseline: the same diff, nothing changed', `${baselineMs} ms (${baseline.result.events.length} events, ${baseline.result.changed.length} written)`),
  ];
  return { rows, json: { access_diff_ms_50k: ms, access_diff_baseline_ms_50k: baselineMs } };
}
