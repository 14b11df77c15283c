// The database schema, as numbered migrations. Each runs once, in its own transaction, recorded in
// schema_migrations; start-up applies the missing ones under an advisory lock, so two instances starting
// together do not both apply one. Migrations only add; a release refuses a database migrated by a newer one.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'state tables, leases and instances',
    sql: `
create sequence state_rev;
create sequence list_position;
-- The state, a table per collection (see tables.ts; an incident thread's customers have rows of their own). rev: the write that last changed the row, so that
-- other instances catch up with what changed; position: the order of an ordered list.
create table auth (id text primary key, refresh_token text, rev bigint not null);
create table targets (key text primary key, tenant_id text, kind text, active boolean, body jsonb not null, rev bigint not null);
create table watches (id text primary key, position bigint not null, target_key text not null, kind text not null,
  customer_id text, customer_name text, order_id text, min_severity text, workloads text[] not null,
  created_by text not null, created_at text not null, excluded jsonb, rev bigint not null);
create table order_customers (order_id text primary key, customer_id text not null, rev bigint not null);
create table incident_snapshots (customer_id text primary key, body jsonb not null, rev bigint not null);
create table order_snapshots (key text primary key, body jsonb not null, rev bigint not null);
create table incident_threads (key text primary key, target_key text not null, incident_id text not null, activity_id text,
  body jsonb not null, rev bigint not null);
create table outbox (id text primary key, position bigint not null, target_key text not null, kind text not null,
  not_before text not null, body jsonb not null, rev bigint not null);
create table incident_thread_customers (thread_key text not null, customer_id text not null, name text not null,
  resolved boolean not null, vanished boolean not null, rev bigint not null, primary key (thread_key, customer_id));
create table delivery_log (id text primary key, sent_at text not null, rev bigint not null);
create table last_round (id text primary key, body jsonb not null, rev bigint not null);
create table sweep_state (id text primary key, round_id text, cursor text, body jsonb not null, rev bigint not null);
create table access_denied (customer_id text primary key, since text not null, rev bigint not null);
create table subscription_snapshots (customer_id text primary key, body jsonb not null, rev bigint not null);
create table subscription_threads (key text primary key, target_key text not null, body jsonb not null, rev bigint not null);
create index auth_rev on auth (rev);
create index targets_rev on targets (rev);
create index watches_rev on watches (rev);
create index order_customers_rev on order_customers (rev);
create index incident_snapshots_rev on incident_snapshots (rev);
create index order_snapshots_rev on order_snapshots (rev);
create index incident_threads_rev on incident_threads (rev);
create index incident_thread_customers_rev on incident_thread_customers (rev);
create index outbox_rev on outbox (rev);
create index delivery_log_rev on delivery_log (rev);
create index last_round_rev on last_round (rev);
create index sweep_state_rev on sweep_state (rev);
create index access_denied_rev on access_denied (rev);
create index subscription_snapshots_rev on subscription_snapshots (rev);
create index subscription_threads_rev on subscription_threads (rev);
create index outbox_target on outbox (target_key, position);
create index incident_threads_target on incident_threads (target_key);
create index watches_target on watches (target_key);
-- Rows deleted, kept a while so that other instances catching up hear of the deletion.
create table deleted_rows (tbl text not null, key text not null, rev bigint not null, deleted_at timestamptz not null default now());
create index deleted_rows_rev on deleted_rows (rev);
-- Who sweeps Partner Center: one row per lease; token grows with each new holder (the fencing token).
create table leases (name text primary key, holder text not null, token bigint not null, expires_at timestamptz not null, acquired_at timestamptz not null);
-- Every instance's heartbeat, for /healthz.
create table instances (id text primary key, host text not null, pid integer not null, started_at timestamptz not null, heartbeat_at timestamptz not null, leader boolean not null);
`,
  },
  {
    version: 2,
    name: 'when the refresh token was last used',
    // For the 90-day rule: Entra refuses a refresh token unused for 90 days (see partnerCenter/tokenStatus.ts).
    sql: `alter table auth add column used_at text;`,
  },
  {
    // Its number may change when branches merge: it only adds a column, whatever ran before it.
    version: 3,
    name: 'sealed refresh token',
    sql: `
-- The refresh token sealed under STATE_ENCRYPTION_KEY (secretBox.ts envelope); refresh_token then stays null.
alter table auth add column refresh_token_sealed jsonb;
`,
  },
  {
    // Its number may change when branches merge: it only adds a table, whatever ran before it.
    version: 4,
    name: 'outbound deliveries',
    sql: `
-- Alert events waiting for a webhook URL or a PSA (state.ts OutboundDelivery), one row per event per endpoint.
create table outbound_deliveries (id text primary key, destination text not null, endpoint text not null, not_before text not null,
  body jsonb not null, rev bigint not null);
create index outbound_deliveries_rev on outbound_deliveries (rev);
create index outbound_deliveries_endpoint on outbound_deliveries (destination, endpoint);
`,
  },
  {
    version: 5,
    name: 'PSA tickets and company links',
    sql: `
-- A customer's PSA company set by hand (ticket map), and the ticket the bot opened for each problem episode.
create table ticket_companies (customer_id text primary key, company_id text, body jsonb not null, rev bigint not null);
create table tickets (episode_key text primary key, customer_id text, state text, body jsonb not null, rev bigint not null);
create index ticket_companies_rev on ticket_companies (rev);
create index tickets_rev on tickets (rev);
`,
  },
  {
    version: 6,
    name: 'GDAP access alerts',
    sql: `
-- The GDAP listing (sources/access/): when it was taken and Graph's refusal; each customer's relationships;
-- the access alert cards.
create table access_listing (id text primary key, body jsonb not null, rev bigint not null);
create table access_snapshots (customer_id text primary key, body jsonb not null, rev bigint not null);
create table access_threads (key text primary key, target_key text not null, body jsonb not null, rev bigint not null);
create index access_listing_rev on access_listing (rev);
create index access_snapshots_rev on access_snapshots (rev);
create index access_threads_rev on access_threads (rev);
`,
  },
  {
    version: 7,
    name: 'snapshot facts',
    sql: `
-- Snapshots are no longer held in memory (paged.ts): what planning and health go by is kept beside each
-- one, so they read a few columns instead of every snapshot.
alter table incident_snapshots add column fetched_at text, add column changed_at text, add column active boolean not null default false;
alter table order_snapshots add column fetched_at text, add column changed_at text, add column active boolean not null default false;
alter table subscription_snapshots add column fetched_at text, add column changed_at text, add column active boolean not null default false;
update incident_snapshots set fetched_at = body->>'fetchedAt', changed_at = body->>'changedAt',
  active = exists (select 1 from jsonb_each(coalesce(body->'incidents', '{}'::jsonb)) as print(id, fingerprint)
                   where not coalesce((fingerprint->>'resolved')::boolean, false));
update order_snapshots set fetched_at = body->>'fetchedAt', changed_at = body->>'changedAt';
update subscription_snapshots set fetched_at = body->>'fetchedAt', changed_at = body->>'changedAt';
`,
  },
  {
    // Its number may change when branches merge: it only adds columns and an index, whatever ran before it.
    version: 8,
    name: 'outbox row claims',
    sql: `
-- Which instance delivers a queued delivery now, and until when (outboxClaims.ts): a claim nobody renews
-- (the instance was killed or paused) is free again after locked_until. The retry time of a delivery is its
-- not_before column already (a long Retry-After included).
alter table outbox add column locked_by text, add column locked_until timestamptz;
create index outbox_claimed on outbox (target_key) where locked_by is not null;
`,
  },
  {
    version: 9,
    name: 'GDAP access snapshots paged',
    sql: `
-- The GDAP access snapshots leave memory too (paged.ts): their rows get the facts columns of the others.
alter table access_snapshots add column fetched_at text, add column changed_at text, add column active boolean not null default false;
`,
  },
  {
    // Its number may change when branches merge: it only adds columns and indexes, whatever ran before it.
    version: 10,
    name: 'catch-up by transaction visibility',
    sql: `
-- The transaction that last wrote each row (visibility.ts): instances catch up with the rows their last
-- snapshot did not see, so commits need not take one lock to come in order. Rows there now are older than
-- any snapshot taken after this migration.
alter table auth add column xid xid8 not null default pg_current_xact_id();
create index auth_xid on auth (xid);
alter table targets add column xid xid8 not null default pg_current_xact_id();
create index targets_xid on targets (xid);
alter table watches add column xid xid8 not null default pg_current_xact_id();
create index watches_xid on watches (xid);
alter table order_customers add column xid xid8 not null default pg_current_xact_id();
create index order_customers_xid on order_customers (xid);
alter table incident_snapshots add column xid xid8 not null default pg_current_xact_id();
create index incident_snapshots_xid on incident_snapshots (xid);
alter table order_snapshots add column xid xid8 not null default pg_current_xact_id();
create index order_snapshots_xid on order_snapshots (xid);
alter table incident_threads add column xid xid8 not null default pg_current_xact_id();
create index incident_threads_xid on incident_threads (xid);
alter table outbox add column xid xid8 not null default pg_current_xact_id();
create index outbox_xid on outbox (xid);
alter table incident_thread_customers add column xid xid8 not null default pg_current_xact_id();
create index incident_thread_customers_xid on incident_thread_customers (xid);
alter table delivery_log add column xid xid8 not null default pg_current_xact_id();
create index delivery_log_xid on delivery_log (xid);
alter table last_round add column xid xid8 not null default pg_current_xact_id();
create index last_round_xid on last_round (xid);
alter table sweep_state add column xid xid8 not null default pg_current_xact_id();
create index sweep_state_xid on sweep_state (xid);
alter table access_denied add column xid xid8 not null default pg_current_xact_id();
create index access_denied_xid on access_denied (xid);
alter table subscription_snapshots add column xid xid8 not null default pg_current_xact_id();
create index subscription_snapshots_xid on subscription_snapshots (xid);
alter table subscription_threads add column xid xid8 not null default pg_current_xact_id();
create index subscription_threads_xid on subscription_threads (xid);
alter table outbound_deliveries add column xid xid8 not null default pg_current_xact_id();
create index outbound_deliveries_xid on outbound_deliveries (xid);
alter table ticket_companies add column xid xid8 not null default pg_current_xact_id();
create index ticket_companies_xid on ticket_companies (xid);
alter table tickets add column xid xid8 not null default pg_current_xact_id();
create index tickets_xid on tickets (xid);
alter table access_listing add column xid xid8 not null default pg_current_xact_id();
create index access_listing_xid on access_listing (xid);
alter table access_snapshots add column xid xid8 not null default pg_current_xact_id();
create index access_snapshots_xid on access_snapshots (xid);
alter table access_threads add column xid xid8 not null default pg_current_xact_id();
create index access_threads_xid on access_threads (xid);
alter table deleted_rows add column xid xid8 not null default pg_current_xact_id();
create index deleted_rows_xid on deleted_rows (xid);
`,
  },
  {
    // Its number may change when branches merge: it only adds a column and recomputes facts, whatever ran before it.
    version: 11,
    name: 'snapshot facts for the digest',
    sql: `
-- A digest loads only the snapshots it may show (domain/digestFacts.ts): active now means "something a digest
-- shows is going on" for subscriptions and GDAP access too (an incident's stays "an unresolved incident"),
-- and ends_on is the earliest day a term or access ends without renewal. Worked out here for the rows
-- written before, as factsOf does for each row written from now on.
alter table incident_snapshots add column ends_on text;
alter table order_snapshots add column ends_on text;
alter table subscription_snapshots add column ends_on text;
alter table access_snapshots add column ends_on text;
update subscription_snapshots s set active = f.active, ends_on = f.ends_on
from (
  select customer_id,
    coalesce(bool_or(p->>'status' in ('suspended', 'expired') or coalesce((p->>'attention')::boolean, false)
      or (coalesce(p->>'endDay', '') <> '' and not coalesce((p->>'autoRenew')::boolean, false) and p->>'endDay' !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')), false) as active,
    min(p->>'endDay' collate "C") filter (where not coalesce((p->>'autoRenew')::boolean, false) and p->>'endDay' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') as ends_on
  from subscription_snapshots
  left join lateral jsonb_array_elements(case when jsonb_typeof(body->'subscriptions') = 'array' then body->'subscriptions' else '[]'::jsonb end) as p
    on coalesce(p->>'goneAt', '') = '' and coalesce(p->>'status', '') not in ('deleted', 'disabled')
  group by customer_id
) f
where s.customer_id = f.customer_id;
update access_snapshots s set fetched_at = s.body->>'fetchedAt', changed_at = s.body->>'changedAt',
  active = f.lost or (f.ends is not null and f.ends !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  ends_on = case when not f.lost and f.ends ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then f.ends end
from (
  select customer_id,
    not coalesce(bool_or(r->>'status' in ('active', 'expiring', 'terminationRequested')), false)
      and coalesce(bool_or(r->>'status' in ('expired', 'terminated')), false) as lost,
    -- accessEnd: the last end day of the covering ones, unless one auto-extends or has no readable end.
    case when coalesce(bool_or(r->>'status' in ('active', 'expiring', 'terminationRequested')), false)
          and not coalesce(bool_or(r->>'status' in ('active', 'expiring', 'terminationRequested')
                                   and (coalesce((r->>'autoExtend')::boolean, false) or coalesce((r->>'malformed')::boolean, false) or r->>'endDay' is null)), false)
      then max(r->>'endDay' collate "C") filter (where r->>'status' in ('active', 'expiring', 'terminationRequested')) end as ends
  from access_snapshots
  left join lateral jsonb_array_elements(case when jsonb_typeof(body->'relationships') = 'array' then body->'relationships' else '[]'::jsonb end) as r on true
  group by customer_id
) f
where s.customer_id = f.customer_id;
`,
  },
  {
    // Its number may change when branches merge: it only adds columns and indexes, whatever ran before it.
    version: 12,
    name: 'card threads read per record',
    sql: `
-- No instance holds the card threads any more (pagedThreads.ts): a change reads them by key, by customer, by
-- conversation or by how long they have been quiet. An incident card keeps how many of its customers are
-- still affected, so that "all recovered" needs none of its customer rows read; the body keeps it as "open".
alter table incident_threads add column open_customers integer, add column quiet_since text;
update incident_threads t set open_customers = c.open, body = jsonb_set(t.body, '{open}', to_jsonb(c.open))
from (select t2.key, (select count(*) from incident_thread_customers c2 where c2.thread_key = t2.key and not c2.resolved)::int as open from incident_threads t2) c
where t.key = c.key;
update incident_threads set quiet_since = case when coalesce(body->>'resolvedAt', '') <> '' and body->>'resolvedAt' < body->>'updatedAt' collate "C"
  then body->>'resolvedAt' else body->>'updatedAt' end;
alter table subscription_threads add column customer_id text, add column quiet_since text;
alter table access_threads add column customer_id text, add column quiet_since text;
update subscription_threads set customer_id = body->>'customerId', quiet_since = case when coalesce(body->>'closedAt', '') <> ''
  and body->>'closedAt' < body->>'updatedAt' collate "C" then body->>'closedAt' else body->>'updatedAt' end;
update access_threads set customer_id = body->>'customerId', quiet_since = case when coalesce(body->>'closedAt', '') <> ''
  and body->>'closedAt' < body->>'updatedAt' collate "C" then body->>'closedAt' else body->>'updatedAt' end;
create index incident_thread_customers_customer on incident_thread_customers (customer_id);
create index incident_threads_incident on incident_threads (incident_id);
create index incident_threads_quiet on incident_threads (quiet_since collate "C");
create index subscription_threads_customer on subscription_threads (customer_id);
create index subscription_threads_target on subscription_threads (target_key);
create index subscription_threads_quiet on subscription_threads (quiet_since collate "C");
create index access_threads_customer on access_threads (customer_id);
create index access_threads_target on access_threads (target_key);
create index access_threads_quiet on access_threads (quiet_since collate "C");
`,
  },
  {
    // Its number may change when branches merge: it only adds tables of its own, whatever ran before it.
    version: 13,
    name: 'customer directory',
    sql: `
-- The partner's customers, listed from Partner Center by whichever instance lists (store/postgres/customerTable.ts),
-- so that no instance keeps them all in memory. key: the tenant id lower-cased; folded_name, folded_domain: as
-- matching compares them (domain/customerMatch.ts fold), collated "C" so that their indexes serve like 'x%';
-- position: the customer's place in the listing that wrote it (ties in name order keep it); listing: the latest
-- listing that saw it (a complete listing deletes the rows of earlier ones).
create sequence directory_listing_seq;
create table directory_customers (key text primary key, id text not null, company_name text not null, domain text not null,
  relationship text not null, folded_name text collate "C" not null, folded_domain text collate "C" not null,
  position integer not null, listing bigint not null, listed_ms bigint not null);
create index directory_customers_folded_name on directory_customers (folded_name);
create index directory_customers_folded_domain on directory_customers (folded_domain);
-- The last listing that completed (one row): when, on the app's clock, and how many customers it left.
create table directory_listing (id integer primary key, listing bigint not null, completed_ms bigint not null, customers integer not null);
`,
  },
];
