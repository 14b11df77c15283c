// How each part of the state is kept in PostgreSQL: one table per collection, one row per record. A record
// that really is a document (a snapshot, a card thread, a queued delivery) is a jsonb `body` beside the
// columns one would query it by; small flat records (watches, the delivery log) are plain columns.
// Times are kept as the ISO strings the app wrote, so a record reads back exactly as it was stored.
import type { Field } from '../records.js';
import type { State, Target, IncidentThread, Delivery, SweepState, CycleReport, OutboundDelivery, TicketCompanyLink, TicketRecord } from '../state.js';
import type { Watch } from '../../domain/watch.js';
import type { SubscriptionThread } from '../../domain/subscriptionRecords.js';
import type { AccessListingState, AccessThread } from '../../domain/accessRecords.js';
import type { Sealed } from '../secretBox.js';
import { factsOf } from '../paged.js';
import { openCustomers, quietSince } from '../pagedThreads.js';

/** A row's columns besides `rev` (and `position` for lists), the key first. */
export interface Column {
  name: string;
  /** The SQL type a parameter is cast to, e.g. 'jsonb'. */
  cast?: string;
}

export interface Table<R = unknown> {
  field: Field;
  name: string;
  columns: Column[];
  /** The row's values in `columns` order; `json` is JSON.stringify(record), at hand for a body column. */
  encode(key: string, record: R, json: string): unknown[];
  decode(row: Record<string, unknown>): { key: string; record: R };
}

const text = (name: string): Column => ({ name });
const body: Column = { name: 'body', cast: 'jsonb' };

/** A document record: its key, a few columns to find it by, and the whole record as `body`. */
function documents<R>(field: Field, name: string, key: string, extra: [string, (record: R) => unknown][] = []): Table<R> {
  return {
    field,
    name,
    columns: [text(key), ...extra.map(([column]) => text(column)), body],
    encode: (id, record, json) => [id, ...extra.map(([, pick]) => pick(record)), json],
    decode: (row) => ({ key: row[key] as string, record: row.body as R }),
  };
}

/** A map of plain strings (id → time, order → customer). */
function strings(field: Field, name: string, key: string, value: string): Table<string> {
  return {
    field,
    name,
    columns: [text(key), text(value)],
    encode: (id, record) => [id, record],
    decode: (row) => ({ key: row[key] as string, record: row[value] as string }),
  };
}

/** A snapshot (paged.ts): its body, and the facts planning and health read without it. */
function snapshots(field: Field, name: string, key: string): Table<unknown> {
  const table = documents<unknown>(field, name, key, [['fetched_at', () => null], ['changed_at', () => null], ['active', () => null], ['ends_on', () => null]]);
  // The facts worked out once per row written (a batch writes 2,000 snapshots), not once per column.
  const encode = (id: string, record: unknown, json: string): unknown[] => {
    const facts = factsOf(record);
    return [id, facts.fetchedAt, facts.changedAt, facts.active, facts.endsOn ?? null, json];
  };
  return { ...table, encode };
}

/** The single record of a one-row table (its key is always 'state'). */
function single<R>(field: Field, name: string, extra: [string, (record: R) => unknown][] = []): Table<R> {
  return {
    field,
    name,
    columns: [text('id'), ...extra.map(([column]) => text(column)), body],
    encode: (_id, record, json) => ['state', ...extra.map(([, pick]) => pick(record)), json],
    decode: (row) => ({ key: 'state', record: row.body as R }),
  };
}

const watches: Table<Watch> = {
  field: 'watches',
  name: 'watches',
  columns: ['id', 'target_key', 'kind', 'customer_id', 'customer_name', 'order_id', 'min_severity', 'workloads', 'created_by', 'created_at', 'excluded'].map((name) =>
    name === 'excluded' ? { name, cast: 'jsonb' } : name === 'workloads' ? { name, cast: 'text[]' } : text(name),
  ),
  encode: (_id, w) => [
    w.id,
    w.targetKey,
    w.kind,
    w.customerId,
    w.customerName,
    w.orderId,
    w.minSeverity,
    w.workloads,
    w.createdBy,
    w.createdAt,
    w.excluded === undefined ? null : JSON.stringify(w.excluded),
  ],
  decode: (row) => {
    const watch: Watch = {
      id: row.id as string,
      targetKey: row.target_key as string,
      kind: row.kind as Watch['kind'],
      customerId: row.customer_id as string | null,
      customerName: row.customer_name as string | null,
      orderId: row.order_id as string | null,
      minSeverity: row.min_severity as Watch['minSeverity'],
      workloads: row.workloads as string[],
      createdBy: row.created_by as string,
      createdAt: row.created_at as string,
    };
    if (row.excluded !== null) watch.excluded = row.excluded as Watch['excluded'];
    return { key: watch.id, record: watch };
  },
};

/** The refresh token as stored: plain text (no STATE_ENCRYPTION_KEY), or sealed (secretBox.ts) in its own column. */
type StoredAuth = Omit<State['auth'], 'refreshToken'> & { refreshToken: string | Sealed | null };

const auth: Table<StoredAuth> = {
  field: 'auth',
  name: 'auth',
  columns: [text('id'), text('refresh_token'), text('used_at'), { name: 'refresh_token_sealed', cast: 'jsonb' }],
  encode: (_id, { refreshToken, usedAt }) =>
    typeof refreshToken === 'string' || refreshToken === null
      ? ['state', refreshToken, usedAt ?? null, null]
      : ['state', null, usedAt ?? null, JSON.stringify(refreshToken)],
  decode: (row) => ({
    key: 'state',
    record: {
      refreshToken: (row.refresh_token_sealed as Sealed | null) ?? (row.refresh_token as string | null),
      ...(row.used_at !== null && row.used_at !== undefined ? { usedAt: row.used_at as string } : {}),
    },
  }),
};

/** Every table, in the order a fresh database loads them. */
export const TABLES: Table<never>[] = [
  auth,
  documents<Target>('targets', 'targets', 'key', [
    ['tenant_id', (t) => t.tenantId],
    ['kind', (t) => t.kind],
    ['active', (t) => t.active],
  ]),
  watches,
  strings('orderCustomers', 'order_customers', 'order_id', 'customer_id'),
  snapshots('incidentSnapshots', 'incident_snapshots', 'customer_id'),
  snapshots('orderSnapshots', 'order_snapshots', 'key'),
  // The card without its customers: they have rows of their own (threadCustomers.ts). A card thread is read by
  // key, by conversation, by customer and by how long it has been quiet (pagedThreads.ts).
  documents<IncidentThread>('threads', 'incident_threads', 'key', [
    ['target_key', (t) => t.targetKey],
    ['incident_id', (t) => t.incidentId],
    ['activity_id', (t) => t.activityId],
    ['open_customers', (t) => openCustomers(t)],
    ['quiet_since', (t) => quietSince(t)],
  ]),
  documents<Delivery>('outbox', 'outbox', 'id', [
    ['target_key', (d) => d.targetKey],
    ['kind', (d) => d.kind],
    ['not_before', (d) => d.notBefore],
  ]),
  strings('deliveryLog', 'delivery_log', 'id', 'sent_at'),
  single<CycleReport | null>('lastCycle', 'last_round'),
  single<SweepState>('sweep', 'sweep_state', [
    ['round_id', (s) => s.roundId],
    ['cursor', (s) => s.cursor],
  ]),
  strings('accessDenied', 'access_denied', 'customer_id', 'since'),
  snapshots('subscriptionSnapshots', 'subscription_snapshots', 'customer_id'),
  documents<SubscriptionThread>('subscriptionThreads', 'subscription_threads', 'key', [
    ['target_key', (t) => t.targetKey],
    ['customer_id', (t) => t.customerId],
    ['quiet_since', (t) => quietSince(t)],
  ]),
  documents<OutboundDelivery>('outbound', 'outbound_deliveries', 'id', [
    ['destination', (d) => d.destination],
    ['endpoint', (d) => d.endpoint],
    ['not_before', (d) => d.notBefore],
  ]),
  documents<TicketCompanyLink>('ticketCompanies', 'ticket_companies', 'customer_id', [['company_id', (l) => l.companyId]]),
  documents<TicketRecord>('tickets', 'tickets', 'episode_key', [
    ['customer_id', (t) => t.customerId],
    ['state', (t) => t.state],
  ]),
  single<AccessListingState>('accessListing', 'access_listing'),
  snapshots('accessSnapshots', 'access_snapshots', 'customer_id'),
  documents<AccessThread>('accessThreads', 'access_threads', 'key', [
    ['target_key', (t) => t.targetKey],
    ['customer_id', (t) => t.customerId],
    ['quiet_since', (t) => quietSince(t)],
  ]),
] as Table<never>[];

export const TABLE_OF = new Map<Field, Table<unknown>>(TABLES.map((table) => [table.field, table as Table<unknown>]));

/**
 * PostgreSQL takes no NUL character in text or jsonb: one in Partner Center's text would make every commit
 * of its batch fail. It is stored as U+FFFD (the record in memory keeps it). `json`: the value is JSON text,
 * where a NUL is the escape \u0000 (not preceded by an escaping backslash).
 */
export function storable(value: unknown, json = false): unknown {
  if (typeof value !== 'string') return value;
  if (json) return value.includes('\\u0000') ? value.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : value;
  return value.includes('\0') ? value.replaceAll('\0', '\ufffd') : value;
}
