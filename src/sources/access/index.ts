// GDAP access alerts as an alert source of the continuous engine: one partner-wide Graph listing per
// GDAP_POLL_MINUTES (plan.ts) → the pure diff (diff.ts) → threads and outbox (routing.ts), in the engine's
// single write per batch; cards in card.ts. Graph's 403 (permission not granted) is a notice per watching
// conversation, once until Graph answers again — never an alert per customer, and never a change of state.
import { GDAP_PERMISSION, GraphError, type GraphClient } from '../../graph/client.js';
import type { Clock } from '../../partnerCenter/rateBudget.js';
import { RETENTION_MS } from '../../domain/retention.js';
import type { AlertSource } from '../source.js';
import type { State } from '../../store/state.js';
import type { AccessSnapshot } from '../../domain/accessRecords.js';
import { baseOf } from '../../store/draft.js';
import { assignmentsDue, diffAccess } from './diff.js';
import { accessDigestReads, accessDigestSection } from './digestSection.js';
import { explainRefusal } from './explain.js';
import { DEFAULT_ACCESS_SETTINGS, type AccessGroup, type AccessListing, type AccessSettings, type RelationshipPrint } from './model.js';
import { accessItems, accessWatches, SOURCE_NAME, type AccessItem } from './plan.js';
import { readAssignments, readRelationships } from './read.js';
import { routeAccessEvents } from './routing.js';
import { queueNotice } from '../notices.js';

export { SOURCE_NAME, ACCESS_ITEM_KEY } from './plan.js';
export type { AccessSettings } from './model.js';

export interface AccessSource extends AlertSource<AccessListing, AccessItem> {
  readonly settings: AccessSettings;
  readonly graph: GraphClient;
}

/** Access assignments read at once: Graph throttles per app, so a few at a time. */
const ASSIGNMENT_READS_AT_ONCE = 4;

export interface AccessSourceOptions {
  clock?: Pick<Clock, 'now'>;
  /** The access snapshots as stored (the store's view of them): what a listing knows before it asks Graph. */
  snapshots?: () => Promise<Readonly<Record<string, AccessSnapshot>>>;
}

export function accessSource(graph: GraphClient, settings: AccessSettings = DEFAULT_ACCESS_SETTINGS, options: AccessSourceOptions = {}): AccessSource {
  const clock = options.clock ?? { now: Date.now };
  return {
    name: SOURCE_NAME,
    noun: 'GDAP listing',
    settings,
    graph,
    wantsListing: () => false, // Graph lists every customer's relationships itself
    // Its snapshots are by customer, yet no customer's: the partner-wide listing reads and writes them all.
    records: [],
    // The listing is partner-wide: every customer's access, and every access card (for this one commit).
    loads: () => ({ accessSnapshots: 'all', accessThreads: 'all' }),
    refusalLoads: (customerId) => ({ accessSnapshots: [customerId] }),
    roundItems: (state, _listing, _find, now) => accessItems(state, now, settings),
    fetch: async (_client, ctx) => listAccess(graph, knownRelationships(await options.snapshots?.()), clock.now(), ctx.signal),
    ingest(state, _item, listing, ctx) {
      if (listing.kind === 'refused') return { events: 0, queued: tellRefusal(state, ctx.now) };
      const fetchedAt = ctx.now.toISOString();
      state.accessListing ??= { fetchedAt: null, refusedSince: null, refusalTold: [] };
      const snapshots = state.accessSnapshots;
      const known = lastWritten(state);
      const diff = diffAccess({
        previous: (id) => known[id],
        knownCustomerIds: Object.keys(known),
        relationships: listing.relationships,
        assignments: listing.assignments,
        fetchedAt,
        baseline: state.accessListing.fetchedAt === null,
        warnDays: settings.warnDays,
      });
      for (const snapshot of diff.changed) snapshots[snapshot.customerId] = snapshot;
      for (const customerId of diff.removed) delete snapshots[customerId];
      const restored = tellRestored(state, ctx.now);
      state.accessListing = { fetchedAt, refusedSince: null, refusalTold: [] };
      return { events: diff.events.length, queued: restored + routeAccessEvents(state, diff.events, ctx) };
    },
    customersIn: (listing) => (listing.kind === 'listing' ? [...new Set(listing.relationships.map((relationship) => relationship.customerId))] : []),
    prune: pruneAccess,
    // A scheduled digest is built inside a write: its snapshots are read where they were written, as in ingest.
    digestSection: (state, targetKey, ctx) => accessDigestSection(state, targetKey, ctx, settings, lastWritten(state)),
    digestReads: (state, targetKey, ctx) => accessDigestReads(state, targetKey, ctx, settings),
    explainRefusal: (state, customerId, customerName, now) => explainRefusal(state.accessSnapshots?.[customerId], customerName, now),
  };
}

/**
 * The snapshots as written before this write, when it holds no other listing (the draft's listing is the
 * stored one), else the draft's: reading 50,000 relationships through the draft would make a draft of each.
 */
function lastWritten(draft: Readonly<State>): Readonly<Record<string, AccessSnapshot>> {
  const stored = baseOf(draft.accessSnapshots) as Record<string, AccessSnapshot> | undefined;
  const storedListing = baseOf(draft.accessListing) as State['accessListing'] | undefined;
  return stored && storedListing?.fetchedAt === draft.accessListing?.fetchedAt ? stored : draft.accessSnapshots;
}

/** What the last listing knew of each relationship, to read only the assignments due. */
function knownRelationships(snapshots: Readonly<Record<string, AccessSnapshot>> = {}): ReadonlyMap<string, RelationshipPrint> {
  const known = new Map<string, RelationshipPrint>();
  for (const snapshot of Object.values(snapshots)) for (const print of snapshot.relationships) known.set(print.id, print);
  return known;
}

/** One listing: every relationship, and the access assignments of those new, changed or read a day ago. */
export async function listAccess(graph: GraphClient, known: ReadonlyMap<string, RelationshipPrint>, now: number, signal?: AbortSignal): Promise<AccessListing> {
  try {
    const relationships = readRelationships(await graph.relationships(signal));
    const due = relationships.filter((relationship) => assignmentsDue(relationship, known.get(relationship.id), now));
    const assignments: Record<string, AccessGroup[]> = {};
    for (let i = 0; i < due.length; i += ASSIGNMENT_READS_AT_ONCE) {
      const batch = due.slice(i, i + ASSIGNMENT_READS_AT_ONCE);
      const read = await Promise.all(batch.map((relationship) => graph.accessAssignments(relationship.id, signal)));
      batch.forEach((relationship, k) => (assignments[relationship.id] = readAssignments(read[k] ?? [])));
    }
    return { kind: 'listing', relationships, assignments };
  } catch (error) {
    if (error instanceof GraphError && error.status === 403) return { kind: 'refused', message: error.message };
    throw error;
  }
}

export const REFUSAL_TEXT = `Microsoft Graph refuses to list the partner's GDAP relationships (403), so access alerts are paused. Grant the bot's app the application permission ${GDAP_PERMISSION} (Microsoft Graph) with admin consent in Microsoft Entra ID; alerts resume at the next listing after that.`;
export const RESTORED_TEXT = 'Microsoft Graph lists the GDAP relationships again: access alerts resume.';

/** Graph refused: one notice per conversation watching access, until Graph answers again. */
function tellRefusal(state: State, now: Date): number {
  state.accessListing ??= { fetchedAt: null, refusedSince: null, refusalTold: [] };
  const listing = state.accessListing;
  const since = listing.refusedSince ?? now.toISOString();
  const told = new Set(listing.refusalTold);
  let queued = 0;
  for (const targetKey of new Set(accessWatches(state).map((watch) => watch.targetKey))) {
    if (told.has(targetKey)) continue;
    told.add(targetKey);
    queued += queueNotice(state, targetKey, `graph-refused|${since}`, REFUSAL_TEXT, now);
  }
  state.accessListing = { ...listing, refusedSince: since, refusalTold: [...told], refusedAt: now.toISOString() };
  return queued;
}

/** Graph answers again after a refusal: one line to each conversation told of it. */
function tellRestored(state: State, now: Date): number {
  const listing = state.accessListing;
  if (!listing.refusedSince) return 0;
  let queued = 0;
  for (const targetKey of listing.refusalTold) {
    if (state.targets[targetKey]?.active) queued += queueNotice(state, targetKey, `graph-restored|${listing.refusedSince}`, RESTORED_TEXT, now);
  }
  return queued;
}

/**
 * Cards of episodes over for 30 days are forgotten, and cards unchanged for 30 days whose conversation no
 * longer watches access. With no access watch left, the snapshots go too and the next listing is a baseline.
 */
export function pruneAccess(state: State, now: Date): void {
  const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
  const watching = new Set(accessWatches(state).map((watch) => watch.targetKey));
  for (const [key, thread] of Object.entries(state.accessThreads)) {
    if ((thread.closedAt && thread.closedAt < cutoff) || (thread.updatedAt < cutoff && !watching.has(thread.targetKey))) delete state.accessThreads[key];
  }
  if (state.watches.some((watch) => watch.kind === 'access')) return;
  for (const customerId of Object.keys(state.accessSnapshots)) delete state.accessSnapshots[customerId];
  if (state.accessListing?.fetchedAt) state.accessListing = { fetchedAt: null, refusedSince: null, refusalTold: [] };
}
