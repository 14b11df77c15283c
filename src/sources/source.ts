// The hooks of the alert sources (src/sources/<name>/). Every source plans its own sweep items (keys
// `<prefix>|…`), fetches one, and ingests a successful fetch inside the batch's single durable write (diff,
// threads, outbox). A source beyond incidents and orders (AlertSource) ingests item by item, in the rolling
// round only, when due; incidents and provisioning (BatchSource) take a batch's results together, every
// round, and keep a fast lane. The engine only dispatches.
import type { AlertEvent } from '../domain/alertEvent.js';
import type { SummaryReport, SummarySection } from '../domain/digest.js';
import type { Customer } from '../domain/types.js';
import type { PartnerCenterClient } from '../partnerCenter/client.js';
import type { RequestContext } from '../partnerCenter/http.js';
import type { HeldAlert, State, SweepState } from '../store/state.js';
import type { FactsFilter, Loads, PagedField, PlanFacts } from '../store/paged.js';
import type { ThreadField, ThreadSelection } from '../store/pagedThreads.js';

/**
 * One fetch of a source, e.g. `s|<customerId>`: one customer's subscriptions; or a partner-wide one (no
 * customer), e.g. `g|listing`: every GDAP relationship of the partner in one Graph listing.
 */
export interface SourceItem {
  key: string;
  kind: 'source';
  /** The source's name, e.g. "subscriptions". */
  source: string;
  /** The customer fetched; null for a partner-wide item. */
  customer: Customer | null;
  /** What a partner-wide item is called where a customer's name would go (a failure in a round's summary). */
  subject?: string;
}

/** An item about one customer: what sources that fetch customer by customer plan and take. */
export interface CustomerSourceItem extends SourceItem {
  customer: Customer;
}

export interface SourceIngestContext {
  now: Date;
  customerName: (customerId: string) => string;
  /** Deliveries being sent right now: changes must not be merged into them. */
  inFlight?: ReadonlySet<string>;
  /** Hands each alert event to the outbound destinations (webhooks, tickets), in this same write. */
  emit?: (event: AlertEvent) => void;
  /** The customer directory's customer (Partner Center's name and domain, for the alert events), when it knows one. */
  findCustomer?: (customerId: string) => Customer | undefined;
}

export interface DigestSectionContext {
  now: Date;
  /** The directory's name of a customer, when it knows one. */
  customerName?: (customerId: string) => string | undefined;
}

export interface DigestReadContext {
  now: Date;
  /** The digest's "changes since" (the last digest, or a day ago). */
  since: string;
}

/**
 * Which records of a paged field a source's digest section may show: those whose facts `filter` matches
 * (store.facts: a query on PostgreSQL), and of those only the ones `among` keeps (e.g. watched customers).
 */
export interface DigestRead {
  field: PagedField;
  filter: FactsFilter;
  among?: (key: string) => boolean;
}

/** A paged field's records a digest part reads by key (no facts to ask: e.g. the watched customers' own). */
export interface DigestKeys {
  field: PagedField;
  keys: Iterable<string>;
}

/** Card threads a digest part reads by what they hold (e.g. a conversation's incident cards). */
export interface DigestThreads {
  field: ThreadField;
  select: Pick<ThreadSelection, 'customers' | 'conversations'>;
}

/** The parts of a digest or quiet summary the incidents and provisioning sources fill: the report's own lists. */
export type SummaryParts = Partial<Pick<SummaryReport, 'incidents' | 'orders' | 'changes' | 'unchecked'>>;

export interface DigestPartsContext extends DigestSectionContext {
  /** The digest's "changes since" (the last digest, or a day ago). */
  since: string;
}

/** `Item`: the items this source plans and takes back (a customer's, or partner-wide ones). */
export interface AlertSource<Data = unknown, Item extends SourceItem = SourceItem> {
  readonly name: string;
  /** What one item is called in a round's summary, e.g. "subscription list". */
  readonly noun: string;
  /** Does some watch need the partner's customer listing (a "watch all" of this source)? */
  wantsListing(state: Readonly<State>): boolean;
  /**
   * The paged records (store/paged.ts) this source keeps, by customer id: the sweep plans with their facts,
   * knows customers by them when a listing fails after a restart, and lets `prune` see their keys.
   */
  readonly records: readonly PagedField[];
  /** What ingesting this item reads of them (the batch's write loads it). */
  loads(item: Item): Loads;
  /** The round's items of this source that are due at `now` (pure; `facts`: those of its records). */
  roundItems(state: Readonly<State>, listing: readonly Customer[], find: (id: string) => Customer | undefined, now: number, facts: PlanFacts): SourceItem[];
  fetch(client: PartnerCenterClient, ctx: RequestContext, item: Item): Promise<Data>;
  /** A successful fetch, inside the batch's write: diff, route, queue. */
  ingest(state: State, item: Item, data: Data, ctx: SourceIngestContext): { events: number; queued: number };
  /** The customers a partner-wide fetch names (not its item's customer), so that the write knows them by the directory. */
  customersIn?(data: Data): string[];
  /** In the round's last write: forget what no watch needs any more (its records' keys are loaded, not their bodies). */
  prune(state: State, now: Date): void;
  /**
   * This source's section of a conversation's digest, read from the state alone (null: nothing to say).
   * Required, so that a new source is never left out of the digest.
   */
  digestSection(state: Readonly<State>, targetKey: string, ctx: DigestSectionContext): SummarySection | null;
  /**
   * What `digestSection` reads of the paged records: the digest loads only those (src/engine/digestReads.ts).
   * Every record it may show must match. A source without it has every paged record loaded for its section.
   */
  digestReads?(state: Readonly<State>, targetKey: string, ctx: DigestReadContext): (DigestRead | DigestThreads)[];
  /** Why Partner Center may refuse this customer (403), from what this source knows; null: nothing to say. */
  explainRefusal?(state: Readonly<State>, customerId: string, customerName: string, now: Date): string | null;
  /** What explainRefusal reads of the paged records (the write that tells of the refusal loads it). */
  refusalLoads?(customerId: string): Loads;
}

/** Failures one round keeps of a source's items: enough to name what failed, not a copy of every customer. */
export const FAILURES_KEPT = 500;

/** How a fetch of an item went, as the round's counts take it (null: fetched). */
export type FetchFailure = { error: string; accessRefused?: boolean } | null;

/**
 * A batch's results of one batch source, taken in the batch's order inside its single write (`take`,
 * `refused`: the notices they queue), then diffed, routed and queued together (`finish`): one incident over
 * many customers of a batch is one delivery per thread.
 */
export interface BatchIngest<Data, Item extends SourceItem> {
  take(item: Item, data: Data): number;
  /** Partner Center refused the item (403): worth saying once, and it changes nothing else. */
  refused(item: Item): number;
  finish(): { events: number; queued: number };
}

export interface BatchIngestContext extends SourceIngestContext {
  /** What another source (the GDAP listing) knows of why Partner Center refuses this customer. */
  explainRefusal: (customerId: string, customerName: string) => string | null;
}

/** What the fast lane keeps fresh of a batch source, between its rounds. */
export interface FastLaneHook<Item extends SourceItem> {
  /** The paged field whose facts put an item in the lane (and whose `fetchedAt` says when it was fetched). */
  readonly field: PagedField;
  /** Which of its records may: those active or changed since `changedSince`, or of these keys. */
  filter(state: Readonly<State>, changedSince: string): FactsFilter;
  /**
   * Its items the lane keeps: those watched one by one (`watched`), and those its facts say have something
   * going on (`lively`: an active incident, a change within `recentMs`). Only what some conversation watches.
   */
  items(state: Readonly<State>, now: number, recentMs: number, find: (id: string) => Customer | undefined, facts: PlanFacts): { watched: Item[]; lively: Item[] };
  /** The key of the record an item's fetch writes (`field`). */
  recordKey(item: Item): string;
}

/**
 * The hook of the incidents and provisioning sources (src/sources/incidents/, src/sources/provisioning/),
 * registered at the composition root like the others. They plan every round's items of theirs (`c|<customerId>`,
 * `o|<customerId>/<orderId>`), keep their fast lane, fetch them, and take a batch's results together inside
 * its single write; they count them in the round's summary and fill the report's own lists of a digest.
 */
export interface BatchSource<Data = unknown, Item extends SourceItem = SourceItem> {
  readonly name: string;
  /** The paged records it keeps; `byCustomer`: kept by customer id (customers are known by them when a listing fails after a restart). */
  readonly records: readonly PagedField[];
  readonly byCustomer: boolean;
  /** What "poll now" counts its items as. */
  readonly counted: 'customers' | 'orders';
  /** Does some watch need the partner's customer listing ("watch all")? */
  wantsListing(state: Readonly<State>): boolean;
  /** Every round's items of this source (all of them, every round). */
  roundItems(state: Readonly<State>, listing: readonly Customer[], find: (id: string) => Customer | undefined): Item[];
  readonly fastLane: FastLaneHook<Item>;
  fetch(client: PartnerCenterClient, ctx: RequestContext, item: Item): Promise<Data>;
  /** What ingesting a batch reads of the paged records: its fetched and its refused items (`refusalLoads`: what explains a refusal). */
  loads(fetched: readonly { item: Item; data: Data }[], refused: readonly Item[], refusalLoads: (customerId: string) => Loads[]): Loads[];
  ingest(state: State, ctx: BatchIngestContext): BatchIngest<Data, Item>;
  /** A rolling round's item in the round's counts (`state.sweep`): fetched, refused or failed. */
  count(sweep: SweepState, item: Item, failure: FetchFailure): void;
  /** In the round's last write, before `prune`: what it tells of the whole round (deliveries queued). */
  roundEnd(state: State, now: Date): number;
  /** In the round's last write: forget what no watch needs any more (its records' keys are loaded, not their bodies). */
  prune(state: State, now: Date): void;
  /** Its parts of a conversation's digest, read from the state alone (src/engine/digest.ts puts them together). */
  digestSection(state: Readonly<State>, targetKey: string, ctx: DigestPartsContext): SummaryParts;
  /** What `digestSection` reads of the paged records: the digest loads only those. */
  digestReads(state: Readonly<State>, targetKey: string, ctx: DigestReadContext): (DigestRead | DigestKeys | DigestThreads)[];
  /** Its parts of the summary of what quiet hours held back (`held`: every alert held, of any source). */
  quietSection(state: Readonly<State>, targetKey: string, held: readonly HeldAlert[], ctx: DigestSectionContext): SummaryParts;
  /** What `quietSection` reads of the paged records. */
  quietReads(held: readonly HeldAlert[]): Loads;
}

/** The incidents and provisioning sources, as the engine is given them. */
export interface BatchSources {
  incidents: BatchSource;
  provisioning: BatchSource;
}

/** The batch sources in the order they take a batch, plan and count (incidents first, as ever). */
export function batchSourceList(batchSources: BatchSources): BatchSource[] {
  return [batchSources.incidents, batchSources.provisioning];
}

/** A typed batch source, stored among the others (its data goes only from its own fetch to its own ingest). */
export function batchRegisterable<Data, Item extends SourceItem>(source: BatchSource<Data, Item>): BatchSource {
  return source as unknown as BatchSource;
}

/** The first explanation any source has of a refusal (the access source knows the GDAP relationships). */
export function refusalExplanation(sources: SourceRegistry | undefined, state: Readonly<State>, customerId: string, customerName: string, now: Date): string | null {
  for (const source of sources?.values() ?? []) {
    const said = source.explainRefusal?.(state, customerId, customerName, now);
    if (said) return said;
  }
  return null;
}

/** What every source's refusal explanation reads of this customer's paged records. */
export function refusalLoads(sources: SourceRegistry | undefined, customerId: string): Loads[] {
  return [...(sources?.values() ?? [])].map((source) => source.refusalLoads?.(customerId) ?? {});
}

/** Sources by name, as the sweep and ingest look them up. */
export type SourceRegistry = ReadonlyMap<string, AlertSource>;

/** A typed source, stored among the others (its data goes only from its own fetch to its own ingest). */
export function registerable<Data, Item extends SourceItem>(source: AlertSource<Data, Item>): AlertSource {
  return source as unknown as AlertSource;
}

export function sourceRegistry(sources: readonly AlertSource[] = []): SourceRegistry {
  return new Map(sources.map((source) => [source.name, source]));
}

/** What posting, editing and replying need of a card's thread, whatever its kind. */
export interface CardThread {
  activityId: string | null;
  mutedUntil: string | null;
  updatedAt: string;
  /** When the last delivery (a post, or an edit with its reply) went out. */
  lastSentAt?: string | null;
  /** When the card was last posted or edited, and the thread's `updatedAt` it showed then. */
  editedAt?: string | null;
  shownAt?: string | null;
}

/** A queued delivery that posts or edits one card thread's card, then (for an edit) replies in its thread. */
export interface ThreadDelivery {
  kind: string;
  id: string;
  targetKey: string;
  threadKey: string;
}

/** What quiet hours keep of a held delivery for their summary. */
export type HeldAlertWords = Pick<HeldAlert, 'kind' | 'text' | 'threadKey' | 'incidentId'>;

/**
 * The hook by which a source's card threads are delivered (incidents, subscriptions, access, ...): the
 * delivery chain looks a delivery's kind up in the registry built at the composition root, and never
 * asks which source it came from. Methods, not function properties: a kind typed with its own thread and
 * delivery still fits the registry.
 */
export interface ThreadDeliveryKind<Thread extends CardThread = CardThread, D extends ThreadDelivery = ThreadDelivery> {
  /** The delivery kind it serves (`Delivery.kind`), e.g. "subscription". */
  readonly kind: string;
  /** The state's paged field of its threads: a delivery names its thread in what it reads (threadKinds.ts). */
  readonly field?: ThreadField;
  /** Where its threads are kept, by thread key (inside a write: the draft's, to be changed in place). */
  threads(state: Readonly<State>): Record<string, Thread>;
  /** The card as the thread stands now; `shrink`: the same news in fewer bytes (Teams refused the size). */
  card(thread: Thread, now: Date, options: { shrink: boolean }): object;
  /** The delivery replies in its card's thread (false: a thread's first card, nothing to reply to yet). */
  hasReply(delivery: D): boolean;
  /** The thread reply that notifies people: it names its subject, since a notification shows no card. */
  reply(delivery: D, thread: Thread): string | null;
  /** Posts even in quiet hours: as urgent as a critical incident. */
  breaksThrough(thread: Thread): boolean;
  /** What the quiet-hours summary says of it when it is held (its thread may be gone by then). */
  held(delivery: D, thread: Thread | undefined): HeldAlertWords;
}

/** Thread kinds by delivery kind, as delivery looks them up. */
export type ThreadKindRegistry = ReadonlyMap<string, ThreadDeliveryKind>;

export function threadKindRegistry(kinds: readonly ThreadDeliveryKind[] = []): ThreadKindRegistry {
  return new Map(kinds.map((kind) => [kind.kind, kind]));
}
