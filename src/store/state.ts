// The shape of the one state file, its schema version, and the migrations between versions.
import type { CustomerIncidentSnapshot } from '../domain/incidentRecords.js';
import type { LineChange, OrderSnapshot } from '../domain/provisioningRecords.js';
import type { Incident, OrderProvisioning } from '../domain/types.js';
import type { Watch } from '../domain/watch.js';
import type { SummaryReport } from '../domain/digest.js';
import type { DigestSetting, QuietHoursSetting } from '../domain/schedule.js';
import type { SubscriptionSnapshot, SubscriptionThread } from '../domain/subscriptionRecords.js';
import type { AlertEvent } from '../domain/alertEvent.js';
import type { AccessListingState, AccessSnapshot, AccessThread } from '../domain/accessRecords.js';

// The engine knows a subscription thread only as a stored record: through the store, not the source.
export type { SubscriptionThread } from '../domain/subscriptionRecords.js';
export type { AccessThread } from '../domain/accessRecords.js';

export type { Watch } from '../domain/watch.js';

/** The state file's schema. PostgreSQL keeps its own (src/store/postgres/migrations.ts): a change of the
 * state's shape needs a step in both. */
export const SCHEMA_VERSION = 1;

/** A Bot Framework conversation reference as plain JSON (the store knows no Teams SDK). */
export interface StoredReference {
  serviceUrl: string;
  channelId: string;
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean; name?: string };
  bot: { id: string; name?: string };
  user?: { id: string; name?: string; aadObjectId?: string };
  locale?: string;
}

export type TargetKind = 'personal' | 'groupChat' | 'channel';

/** A conversation the bot may post to. `key` is the conversation id without any ";messageid=". */
export interface Target {
  key: string;
  kind: TargetKind;
  tenantId: string;
  teamId: string | null;
  name: string | null;
  reference: StoredReference;
  active: boolean;
  inactiveReason: string | null;
  updatedAt: string;
  /** Digest and quiet hours of this conversation; absent in files of older releases (neither). */
  schedule?: ConversationSchedule;
}

/** A conversation's digest and quiet hours, and what the scheduler remembers of them. */
export interface ConversationSchedule {
  digest: DigestSetting | null;
  quietHours: QuietHoursSetting | null;
  /** The last scheduled digest queued: one per local date, never two. */
  lastDigest: { localDate: string; dueAt: string; queuedAt: string } | null;
  /** Alerts quiet hours held back, for the one summary when they end. */
  held: HeldAlert[];
}

/**
 * An alert held back by quiet hours. Its delivery left the outbox and entered the delivery log in the same
 * write that added it here, so it is neither lost nor queued again; the summary reads it from here.
 */
export interface HeldAlert {
  /** The delivery it stands for. */
  id: string;
  kind: 'incident' | 'provisioning' | 'notice';
  heldAt: string;
  /** The end of the quiet hours it was held in: its summary goes out then. */
  heldUntil: string;
  /** What the alert would have said (a thread reply, a provisioning change, a notice). */
  text: string;
  /** The card existed and was edited silently (false: no card was posted). */
  edited: boolean;
  /** Alerts of the same subject held before this one and dropped from the list to keep it short: the
   * summary still counts them. */
  alsoHeld?: number;
  threadKey?: string;
  incidentId?: string;
  customerId?: string;
  customerName?: string;
  orderId?: string;
}

export function emptySchedule(): ConversationSchedule {
  return { digest: null, quietHours: null, lastDigest: null, held: [] };
}

/** One watched customer's state inside an incident card. */
export interface ThreadCustomer {
  name: string;
  resolved: boolean;
  /** Resolved because Partner Center stopped reporting it, not because it said "resolved". */
  vanished: boolean;
}

/**
 * One incident card in one conversation: the incident-centric view that lists every affected watched
 * customer. `activityId` is the posted card (null until the first delivery succeeds).
 */
export interface IncidentThread {
  key: string;
  targetKey: string;
  incidentId: string;
  activityId: string | null;
  /** The most recent full copy of the incident seen for any of the customers. */
  incident: Incident;
  customers: Record<string, ThreadCustomer>;
  /**
   * How many of its customers are still affected (not resolved), kept as they change (pagedThreads.ts
   * setThreadCustomer): a commit may read only some of a card's customers. Absent in older records: count them.
   */
  open?: number;
  openedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  mutedUntil: string | null;
  mutedBy: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  /** When the last delivery of this thread went out: its replies are spaced (THREAD_EDIT_INTERVAL_MS). */
  lastSentAt?: string | null;
  /** When the card was last posted or edited (edits alone are spaced less: deliveryStages.ts). */
  editedAt?: string | null;
  /** The thread's `updatedAt` the card showed then: a later one means the card is behind. */
  shownAt?: string | null;
}

interface OutboxBase {
  /** Deterministic from the events it carries: the same change never queues twice. */
  id: string;
  targetKey: string;
  createdAt: string;
  attempts: number;
  notBefore: string;
  lastError: string | null;
}

/**
 * What a thread reply will say, kept as data so that changes found by several sweep batches before the
 * reply goes out become one reply ("Now also affects A, B and 3 more"), not one reply per batch.
 */
export interface NoteParts {
  opened: NameList;
  reopened: NameList;
  updated: NameList;
  /** Severity and status changes seen, e.g. "severity critical → warning". */
  changes: string[];
  /** The newest update's text, when an update brought one. */
  message: string | null;
  resolved: NameList;
  vanished: NameList;
  allResolved: boolean;
}

/** A few names to show and how many there are in all. */
export interface NameList {
  names: string[];
  total: number;
}

/** Post or edit the incident card of a thread, then (for an edit) reply in its thread. */
export interface IncidentDelivery extends OutboxBase {
  kind: 'incident';
  threadKey: string;
  /** Null for the first card of a thread (nothing to reply to yet). */
  noteParts: NoteParts | null;
  /** Written by releases before the continuous engine; read only. */
  note?: string | null;
}

/** A plain sentence for one conversation, e.g. the summary a "poll now" asked for. */
export interface NoticeDelivery extends OutboxBase {
  kind: 'notice';
  text: string;
  /** Someone asked for it just now (a "poll now" summary): quiet hours do not hold it. */
  requested?: boolean;
  /** In a channel, the root message of the thread it answers (where the "poll now" was asked). */
  replyTo?: string;
}

/** A digest, or the summary of what quiet hours held: one card, filled when it was queued. */
export interface SummaryDelivery extends OutboxBase {
  kind: 'summary';
  report: SummaryReport;
}

export interface ProvisioningDelivery extends OutboxBase {
  kind: 'provisioning';
  customerName: string;
  provisioning: OrderProvisioning;
  final: boolean;
  note: string;
  /** The lines that changed, for the card's "What changed" (deliveries queued by older releases lack it). */
  changes?: LineChange[];
}

/** Post or edit the card of a subscription problem episode, then (for an edit) reply in its thread. */
export interface SubscriptionDelivery extends OutboxBase {
  kind: 'subscription';
  threadKey: string;
  /** The reply's lines; null for the first card of a thread (nothing to reply to yet). */
  note: string[] | null;
}

/** Post or edit the card of a customer's GDAP access episode, then (for an edit) reply in its thread. */
export interface AccessDelivery extends OutboxBase {
  kind: 'access';
  threadKey: string;
  /** The reply's lines; null for the first card of a thread. */
  note: string[] | null;
}

export type Delivery = IncidentDelivery | ProvisioningDelivery | NoticeDelivery | SummaryDelivery | SubscriptionDelivery | AccessDelivery;

/**
 * One alert event waiting for one endpoint of an outbound destination (a webhook URL, a PSA). Queued in the
 * same write as the batch that found it; `seq` keeps each endpoint's events in the order they were found.
 */
export interface OutboundDelivery {
  /** `<destination>|<endpoint>|<event id>`: the same event is never queued twice for one endpoint. */
  id: string;
  destination: string;
  endpoint: string;
  seq: number;
  event: AlertEvent;
  createdAt: string;
  attempts: number;
  notBefore: string;
  lastError: string | null;
}

/** What a round did with the items of one alert source (src/sources/), for its summary. */
export interface SourceRoundCounts {
  /** What one item is called, e.g. "subscription list". */
  noun: string;
  fetched: number;
  refused: number;
  failed: { customerId: string; name: string; error: string }[];
}

/** Where the rolling sweep stands, written with every batch so that a restart resumes, not restarts. */
export interface SweepState {
  /** The round in progress (its correlation id), or null between rounds. */
  roundId: string | null;
  roundStartedAt: string | null;
  /** Every item up to and including this key (items sort by key) is done in the current round. */
  cursor: string | null;
  /** Items of the round done so far, and how many the round has. */
  done: number;
  total: number;
  failures: CycleReport['customersFailed'];
  ordersFailed: CycleReport['ordersFailed'];
  customersFetched: number;
  /** Customers that refused access (403) in this round: not failures, told once through a notice. */
  customersRefused: number;
  ordersFetched: number;
  events: number;
  deliveriesQueued: number;
  /** Conversations that asked "poll now" and get the round's summary when it ends. */
  summaryTo: string[];
  /** When the last batch was committed (health: is the sweep moving?). */
  lastCommitAt: string | null;
  /** Customers that began refusing access in this round, for one notice to "watch all" at its end. */
  newlyDenied: { customerId: string; name: string }[];
  /** Items of other alert sources, by source name (absent in files of older releases). */
  sources?: Record<string, SourceRoundCounts>;
}

/** The report of one finished sweep round (`lastCycle` keeps its historical name). */
export interface CycleReport {
  correlationId: string;
  startedAt: string;
  endedAt: string;
  customersFetched: number;
  customersFailed: { customerId: string; name: string; error: string }[];
  /** Customers Partner Center refused to show (403); absent in reports of older releases. */
  customersRefused?: number;
  ordersFetched: number;
  ordersFailed: { orderId: string; error: string }[];
  events: number;
  deliveriesQueued: number;
  /** Items of other alert sources (e.g. subscription lists), by source name. */
  sources?: Record<string, SourceRoundCounts>;
}

export interface State {
  schemaVersion: number;
  /**
   * The App+User refresh token (from `npm run connect-partner-center`, rotated by each exchange) and when it
   * was last obtained or exchanged: Entra refuses one unused for 90 days (absent in older states).
   */
  auth: { refreshToken: string | null; usedAt?: string | null };
  targets: Record<string, Target>;
  watches: Watch[];
  /** Orders the bot has seen, so "provisioning order X" can find its customer without "for". */
  orderCustomers: Record<string, string>;
  incidentSnapshots: Record<string, CustomerIncidentSnapshot>;
  /** Keyed by `${customerId}/${orderId}`. */
  orderSnapshots: Record<string, OrderSnapshot>;
  threads: Record<string, IncidentThread>;
  outbox: Delivery[];
  /** Delivery id → when it was sent: the dedup stage's memory. Pruned with old threads. */
  deliveryLog: Record<string, string>;
  lastCycle: CycleReport | null;
  sweep: SweepState;
  /** Customers Partner Center refuses to show us (403), and since when: told once, not every round. */
  accessDenied: Record<string, string>;
  /** Each watched customer's subscriptions as last seen (src/sources/subscriptions/), by customer id. */
  subscriptionSnapshots: Record<string, SubscriptionSnapshot>;
  /** Subscription alert cards: one per subscription problem episode per conversation. */
  subscriptionThreads: Record<string, SubscriptionThread>;
  /** Alert events waiting for outbound destinations (webhooks, tickets), by id; absent in older files. */
  outbound: Record<string, OutboundDelivery>;
  /** PSA companies set by hand (`ticket map`), by customer id (absent in files of older releases). */
  ticketCompanies: Record<string, TicketCompanyLink>;
  /** PSA tickets the bot opened, one per problem episode of one customer, by episode key. */
  tickets: Record<string, TicketRecord>;
  /** The partner's GDAP listing (src/sources/access/): when last taken, and Graph's refusal (absent in older files). */
  accessListing: AccessListingState;
  /** Each customer's GDAP relationships as last listed, by customer (tenant) id. */
  accessSnapshots: Record<string, AccessSnapshot>;
  /** Access alert cards: one per customer access episode per conversation. */
  accessThreads: Record<string, AccessThread>;
}

/** A customer's PSA company, set by hand in chat. */
export interface TicketCompanyLink {
  customerId: string;
  customerName: string;
  companyId: number;
  companyName: string;
  setBy: string;
  setAt: string;
}

/**
 * One PSA ticket of one episode. `creating` is written durably before the create is sent: finding it later
 * (a crash, a timeout) means the ticket may exist, so the PSA is asked by external reference first.
 */
export interface TicketRecord {
  episodeKey: string;
  customerId: string;
  customerName: string;
  psa: string;
  /** The external reference the ticket carries (Autotask externalID, ConnectWise externalXRef). */
  reference: string;
  state: 'creating' | 'open' | 'complete';
  ticketId: number | null;
  number: string | null;
  url: string | null;
  companyId: number;
  createdAt: string;
  updatedAt: string;
}

export function emptyState(): State {
  return {
    schemaVersion: SCHEMA_VERSION,
    auth: { refreshToken: null },
    targets: {},
    watches: [],
    orderCustomers: {},
    incidentSnapshots: {},
    orderSnapshots: {},
    threads: {},
    outbox: [],
    deliveryLog: {},
    lastCycle: null,
    sweep: emptySweep(),
    accessDenied: {},
    subscriptionSnapshots: {},
    subscriptionThreads: {},
    outbound: {},
    ticketCompanies: {},
    tickets: {},
    accessListing: { fetchedAt: null, refusedSince: null, refusalTold: [] },
    accessSnapshots: {},
    accessThreads: {},
  };
}

export function emptySweep(): SweepState {
  return {
    roundId: null,
    roundStartedAt: null,
    cursor: null,
    done: 0,
    total: 0,
    failures: [],
    ordersFailed: [],
    customersFetched: 0,
    customersRefused: 0,
    ordersFetched: 0,
    events: 0,
    deliveriesQueued: 0,
    summaryTo: [],
    lastCommitAt: null,
    newlyDenied: [],
  };
}

export const threadKey = (targetKey: string, incidentId: string): string => `${targetKey}|${incidentId}`;
export const orderKey = (customerId: string, orderId: string): string => `${customerId}/${orderId}`;

export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

/**
 * Bring a parsed file up to the current schema. Each step takes version N to N+1; a file from a newer
 * release is refused rather than guessed at, so a rollback never silently drops data.
 */
export function migrate(raw: unknown, fileName: string): { state: State; migrated: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new StateFileError(`The state file ${fileName} does not hold a JSON object.`);
  }
  const data = raw as Partial<State>;
  const version = data.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new StateFileError(`The state file ${fileName} has no valid schemaVersion.`);
  }
  if (version > SCHEMA_VERSION) {
    throw new StateFileError(
      `The state file ${fileName} was written by a newer Partner Alerts (schema ${version}; this one reads up to ${SCHEMA_VERSION}). Upgrade, or point DATA_FILE elsewhere.`,
    );
  }
  // Fill what a hand-edited or older file may lack, so code can rely on every collection existing.
  const state: State = { ...emptyState(), ...data, schemaVersion: SCHEMA_VERSION };
  // An incident card of an older file has no count of its customers still affected: routing reads only a batch's
  // customers and goes by that count, so it is worked out here, where the file holds every customer
  // (migrate-state copies it into PostgreSQL as it is).
  for (const thread of Object.values(state.threads)) {
    thread.open ??= Object.values(thread.customers).filter((customer) => !customer.resolved).length;
  }
  return { state, migrated: version !== SCHEMA_VERSION };
}
