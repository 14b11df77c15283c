// View data of the summary card: a conversation's digest, or what its quiet hours held back. Sections of
// rows; a row opens what it is about (an incident's history, an order's provisioning, a customer), times are
// the conversation's wall-clock times. With nothing to say, the card is one line.
import type { SummaryChange, SummaryIncident, SummaryList, SummaryOrder, SummaryReport, SummarySourceRow, SummaryUnchecked } from '../domain/digest.js';
import { isCustomerId, isIncidentId, isOrderId } from '../domain/ids.js';
import { formatLocalClock, formatLocalDate, localParts } from '../domain/localTime.js';
import { buttons as button } from './buttons.js';
import { count, identifier, name, renderAction, sentence, severityLabel, type CardButton } from './format.js';

export interface DigestInput {
  report: SummaryReport;
  buttons?: readonly CardButton[];
}

interface Row {
  badge: string;
  title: string;
  hasDetail: boolean;
  detail: string;
  open: string;
  /** A row opens what it is about (only with ids a click may send back); a plain row is text. */
  clickable: boolean;
  plain: boolean;
  select?: Record<string, unknown>;
}

interface Section {
  heading: string;
  rows: Row[];
  hasMore: boolean;
  moreText: string;
}

export function digestView(input: DigestInput) {
  const report = input.report;
  const zone = report.timeZone;
  const generated = Date.parse(report.generatedAt);
  const when = (iso: string | null) => (iso ? formatLocalClock(Date.parse(iso), zone, generated) : 'unknown time');
  const due = report.dueAt ? Date.parse(report.dueAt) : generated;
  const day = formatLocalDate(localParts(report.kind === 'quiet' && report.endedAt ? Date.parse(report.endedAt) : due, zone));

  const title = report.kind === 'digest' ? `Digest for ${day}` : 'While it was quiet';
  const period =
    report.kind === 'digest'
      ? `${report.dueAt ? `Due ${when(report.dueAt)}` : `Asked for at ${when(report.generatedAt)}`} (${zone})${report.since ? ` · changes since ${when(report.since)}` : ''}`
      : `${report.dueAt ? `${when(report.dueAt)} to ` : 'Until '}${when(report.endedAt)} (${zone}) · only critical incidents and failed provisioning were posted at once`;
  const lateText = report.late && report.dueAt ? `Late: due at ${when(report.dueAt)}, sent at ${when(report.generatedAt)} because the bot was not running then.` : '';

  const sections: Section[] = [
    section(report.kind === 'digest' ? 'Active incidents' : 'Incidents held', report.incidents, incidentRow(report, when)),
    section(report.kind === 'digest' ? 'Orders still provisioning' : 'Provisioning held', report.orders, orderRow),
    ...(report.sections ?? []).map((entry) => section(entry.heading, entry, sourceRow)),
    section(report.since ? `Changed since ${when(report.since)}` : 'Changed recently', report.changes, changeRow(when)),
    section('Customers that could not be checked', report.unchecked, uncheckedRow(when)),
    section('Notices held', report.notices, noticeRow),
  ].filter((entry) => entry.rows.length > 0 || entry.hasMore);

  const isEmpty = sections.length === 0;
  const nothing =
    report.kind === 'digest'
      ? `${title}: nothing to report. No active incidents, no orders provisioning, every watched customer checked.${report.late && report.dueAt ? ` (Late: due at ${when(report.dueAt)}.)` : ''}`
      : `Quiet hours ended at ${when(report.endedAt)} (${zone}): nothing was held.`;
  return {
    isEmpty,
    hasContent: !isEmpty,
    emptyText: name(nothing, 300),
    title: name(title, 120),
    subtitle: name(period, 300),
    late: lateText !== '',
    lateText: name(lateText, 300),
    sections,
  };
}

function section<T>(heading: string, list: SummaryList<T>, toRow: (item: T) => Row): Section {
  const total = list.items.length + list.more;
  return {
    heading: `${heading} (${total})`,
    rows: list.items.map(toRow),
    hasMore: list.more > 0,
    moreText: `and ${list.more} more`,
  };
}

function withButton(row: Omit<Row, 'select' | 'open' | 'clickable' | 'plain'>, action: CardButton | null): Row {
  return action ? { ...row, open: action.title, clickable: true, plain: false, select: renderAction(action) } : { ...row, open: '', clickable: false, plain: true };
}

function incidentTitle(item: Pick<SummaryIncident, 'incidentId' | 'workload' | 'title'>): string {
  const id = identifier(item.incidentId, 20);
  if (!item.title && !item.workload) return `Incident ${id}`;
  return `${name(item.workload ?? '', 80) || 'Unknown workload'}: ${name(item.title ?? '', 160) || id}`;
}

function customerNames(customers: readonly { name: string }[], total: number): string {
  const names = customers.map((customer) => name(customer.name, 60) || 'Unnamed customer');
  const more = total - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}

function incidentRow(report: SummaryReport, when: (iso: string | null) => string) {
  return (item: SummaryIncident): Row => {
    const first = item.customers[0];
    const who = item.customerCount > 0 ? `${item.resolved ? 'Affected' : 'Affects'} ${customerNames(item.customers, item.customerCount)}` : '';
    const since = report.kind === 'digest' && item.startTime ? `since ${when(item.startTime)}` : '';
    const lines = [[identifier(item.incidentId, 20), who, since].filter(Boolean).join(' · '), ...item.notes.map((note) => sentence(note, 400))];
    const action = first && isCustomerId(first.id) && isIncidentId(item.incidentId) ? button.history(first.id, item.incidentId) : null;
    return withButton(
      {
        badge: item.resolved ? 'Resolved' : severityLabel(item.severity),
        title: incidentTitle(item),
        hasDetail: true,
        detail: lines.join('\n\n'),
      },
      action,
    );
  };
}

function orderRow(item: SummaryOrder): Row {
  const progress = item.unchecked
    ? 'Not checked yet'
    : item.linesTotal > 0
      ? `${item.linesFinal} of ${count(item.linesTotal, 'line item')} final${item.linesFailed > 0 ? `, ${item.linesFailed} not fulfilled` : ''}`
      : '';
  const detail = [progress, item.note ? sentence(item.note, 400) : ''].filter(Boolean).join('\n\n');
  const action = isCustomerId(item.customerId) && isOrderId(item.orderId) ? button.provisioning(item.customerId, item.orderId, 'Provisioning') : null;
  return withButton(
    {
      badge: item.linesFailed > 0 ? 'Failed' : item.unchecked ? 'New' : 'Pending',
      title: `Order ${identifier(item.orderId, 64)} · ${name(item.customerName, 80) || 'unknown customer'}`,
      hasDetail: detail !== '',
      detail,
    },
    action,
  );
}

const CHANGE_BADGES = { opened: 'New', updated: 'Updated', resolved: 'Resolved' } as const;

function changeRow(when: (iso: string | null) => string) {
  return (item: SummaryChange): Row => {
    const action = item.customerId && isCustomerId(item.customerId) && isIncidentId(item.incidentId) ? button.history(item.customerId, item.incidentId) : null;
    return withButton(
      {
        badge: CHANGE_BADGES[item.kind],
        title: incidentTitle(item),
        hasDetail: true,
        detail: `${identifier(item.incidentId, 20)} · ${count(item.customerCount, 'watched customer')} · ${when(item.at)}`,
      },
      action,
    );
  };
}

function uncheckedRow(when: (iso: string | null) => string) {
  return (item: SummaryUnchecked): Row => {
    const detail =
      item.reason === 'refused'
        ? `Partner Center refuses access since ${when(item.since)}: check the relationship and GDAP roles.`
        : `The last round (${when(item.since)}) could not read its incidents; it is tried again.`;
    return withButton(
      { badge: item.reason === 'refused' ? 'Refused' : 'Failed', title: name(item.name, 120) || 'Unnamed customer', hasDetail: true, detail },
      isCustomerId(item.customerId) ? button.overview(item.customerId) : null,
    );
  };
}

/** A row of a source's own section: the source said what it shows and what it opens. */
function sourceRow(item: SummarySourceRow): Row {
  return withButton(
    { badge: name(item.badge, 30) || 'Alert', title: name(item.title, 200) || 'Untitled', hasDetail: item.detail !== '', detail: sentence(item.detail, 400) },
    item.open ? { title: item.open.title, verb: item.open.verb, data: item.open.data } : null,
  );
}

function noticeRow(text: string): Row {
  return withButton({ badge: 'Notice', title: sentence(text, 600) || 'Notice', hasDetail: false, detail: '' }, null);
}
