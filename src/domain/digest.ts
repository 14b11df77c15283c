// What a summary card says, as data: the morning digest of a conversation, or the summary of what quiet
// hours held back. The engine fills it from the state (never from Partner Center); src/cardData/digest.ts
// turns it into card text. Lists are cut to a few entries, with how many more there are.
import type { Severity } from './types.js';

export interface SummaryCustomer {
  id: string;
  name: string;
}

/** One incident, with the watched customers it affects (or affected, in a quiet summary). */
export interface SummaryIncident {
  incidentId: string;
  /** Unknown when the incident was only seen in snapshots (no card of it anywhere yet). */
  workload: string | null;
  title: string | null;
  severity: Severity;
  resolved: boolean;
  startTime: string | null;
  customers: SummaryCustomer[];
  customerCount: number;
  /** Quiet summary: what the held alerts would have said, oldest first. */
  notes: string[];
}

/** A watched order whose provisioning is not final yet, or whose held change is summarised. */
export interface SummaryOrder {
  customerId: string;
  customerName: string;
  orderId: string;
  linesTotal: number;
  linesFinal: number;
  linesFailed: number;
  /** Never checked since it was watched. */
  unchecked: boolean;
  /** Quiet summary: what the held alert would have said. */
  note: string | null;
}

/** An incident card of this conversation that changed since the last digest. */
export interface SummaryChange {
  incidentId: string;
  workload: string | null;
  title: string | null;
  severity: Severity;
  kind: 'opened' | 'updated' | 'resolved';
  customerId: string | null;
  customerCount: number;
  at: string;
}

/** A watched customer whose incidents could not be read. */
export interface SummaryUnchecked {
  customerId: string;
  name: string;
  reason: 'failed' | 'refused';
  /** Failed: when the round ended; refused: since when. */
  since: string | null;
}

/** What a row of a source's section opens: a button's verb and data (the card makes it a click). */
export interface SummaryOpen {
  title: string;
  verb: string;
  data: Record<string, unknown>;
}

/** One row of a source's digest section, e.g. a suspended subscription. */
export interface SummarySourceRow {
  badge: string;
  title: string;
  detail: string;
  open: SummaryOpen | null;
}

/** The digest section an alert source contributes (src/sources/source.ts), e.g. "Subscriptions needing attention". */
export interface SummarySection extends SummaryList<SummarySourceRow> {
  /** The source's name, e.g. "subscriptions". */
  source: string;
  heading: string;
}

export interface SummaryList<T> {
  items: T[];
  /** How many more there are than `items` shows. */
  more: number;
}

export interface SummaryReport {
  kind: 'digest' | 'quiet';
  /** The conversation's zone: times on the card are its wall-clock times. */
  timeZone: string;
  generatedAt: string;
  /** Digest: when it was due; quiet: when the quiet hours began. */
  dueAt: string | null;
  /** Quiet: when they ended. */
  endedAt: string | null;
  /** Sent well after it was due (the bot was not running then). */
  late: boolean;
  /** Changes are counted from here (the last digest, or a day back). */
  since: string | null;
  incidents: SummaryList<SummaryIncident>;
  orders: SummaryList<SummaryOrder>;
  changes: SummaryList<SummaryChange>;
  unchecked: SummaryList<SummaryUnchecked>;
  /** Quiet: notices held (plain sentences of the bot's own). */
  notices: SummaryList<string>;
  /** Digest: each alert source's own section (absent in reports queued by older releases). */
  sections?: SummarySection[];
}

/** How many entries each list of a summary shows at most. */
export const SUMMARY_LIMITS = { incidents: 15, customersPerIncident: 5, notesPerIncident: 3, orders: 10, changes: 10, unchecked: 10, notices: 5 } as const;

export function summaryList<T>(all: readonly T[], max: number): SummaryList<T> {
  return { items: all.slice(0, max), more: Math.max(0, all.length - max) };
}
