// View data of an order's provisioning: the answer in chat and the alert for a watched order.
import { isFulfilled, normaliseProvisioningState, provisioningVerdict, type ProvisioningVerdict } from '../domain/provisioning.js';
import type { Customer, OrderProvisioning, ProvisioningLine, ProvisioningState } from '../domain/types.js';
import { asOf, formatUtc, formatUtcDate, identifier, name, type CardButton, type ContainerStyle, type TextColor } from './format.js';

/** Most line items one card lists; the rest are counted. */
export const MAX_LINES = 50;

const STATE_LABELS: Readonly<Record<string, string>> = {
  fulfilled: 'Fulfilled',
  unfulfilled: 'Unfulfilled',
  prefulfillmentpending: 'Pending',
  pending: 'Pending',
  cancelled: 'Cancelled',
  canceled: 'Cancelled',
  failed: 'Failed',
  unknown: 'Unknown',
};

export function stateLabel(state: ProvisioningState): string {
  const key = normaliseProvisioningState(state);
  return STATE_LABELS[key] ?? (name(key, 40) || 'Unknown');
}

function stateColor(state: ProvisioningState): TextColor {
  const key = normaliseProvisioningState(state);
  if (isFulfilled(key)) return 'Good';
  if (key === 'unfulfilled' || key === 'failed' || key === 'cancelled' || key === 'canceled') return 'Attention';
  return 'Default';
}

/** `5 fulfilled, 2 pending`, summing quantities per state in the order states first appear. */
export function quantityBreakdown(line: ProvisioningLine): string {
  const totals = new Map<string, number>();
  for (const q of line.quantities) {
    const label = stateLabel(q.status).toLowerCase();
    totals.set(label, (totals.get(label) ?? 0) + q.quantity);
  }
  if (totals.size === 0) return 'no quantities reported';
  return [...totals].map(([label, n]) => `${n} ${label}`).join(', ');
}

const VERDICTS: Readonly<Record<ProvisioningVerdict, { text: string; color: TextColor; style: ContainerStyle; alert: string }>> = {
  fulfilled: { text: 'All items are fulfilled.', color: 'Good', style: 'good', alert: 'Order fully provisioned' },
  pending: { text: 'Some items are still pending.', color: 'Default', style: 'emphasis', alert: 'Order provisioning changed' },
  unfulfilled: {
    text: 'Provisioning finished, but some items were not fulfilled.',
    color: 'Attention',
    style: 'attention',
    alert: 'Order finished with unfulfilled items',
  },
  empty: { text: 'This order has no line items.', color: 'Default', style: 'emphasis', alert: 'Order has no line items' },
};

function lineRows(lines: readonly ProvisioningLine[], previous: readonly ProvisioningLine[] | undefined) {
  const before = new Map((previous ?? []).map((line) => [line.lineItemNumber, line]));
  return [...lines]
    .sort((a, b) => a.lineItemNumber - b.lineItemNumber)
    .slice(0, MAX_LINES)
    .map((line) => {
      const old = before.get(line.lineItemNumber);
      const changed = previous !== undefined && (!old || normaliseProvisioningState(old.status) !== normaliseProvisioningState(line.status));
      return {
        label: `Line ${line.lineItemNumber}`,
        status: stateLabel(line.status),
        statusColor: stateColor(line.status),
        breakdown: quantityBreakdown(line),
        changed,
        change: old ? `was ${stateLabel(old.status).toLowerCase()}` : 'new',
      };
    });
}

export interface ProvisioningInput {
  customer: Customer;
  provisioning: OrderProvisioning;
  now: Date;
  /** This conversation's watch of the order: shown as a line under the verdict. Absent shows nothing. */
  watch?: { by: string; since: string } | null;
  buttons?: readonly CardButton[];
}

export function provisioningView(input: ProvisioningInput) {
  const { lines } = input.provisioning;
  const verdict = VERDICTS[provisioningVerdict(lines)];
  const watch = input.watch;
  return {
    title: `Provisioning of order ${identifier(input.provisioning.orderId)}`,
    subtitle: `${name(input.customer.companyName) || 'Unknown customer'} · ${asOf(input.now)}`,
    verdict: verdict.text,
    verdictColor: verdict.color,
    hasWatch: Boolean(watch),
    watchText: watch
      ? `Watched here: changes are posted to this conversation until every line item is final (set by ${name(watch.by, 80) || 'someone'} on ${formatUtcDate(watch.since)}).`
      : '',
    lines: lineRows(lines, undefined),
    hasMore: lines.length > MAX_LINES,
    moreText: `and ${lines.length - MAX_LINES} more line items`,
  };
}

export interface ProvisioningAlertInput {
  customer: Customer;
  provisioning: OrderProvisioning;
  /** The state seen before this change, to mark the lines that changed; absent or null marks none. */
  previous?: OrderProvisioning | null;
  updatedAt: Date;
  buttons?: readonly CardButton[];
}

export function provisioningAlertView(input: ProvisioningAlertInput) {
  const { lines } = input.provisioning;
  const kind = provisioningVerdict(lines);
  const verdict = VERDICTS[kind];
  return {
    headerStyle: verdict.style,
    title: verdict.alert,
    subtitle: `Updated ${formatUtc(input.updatedAt)}`,
    facts: [
      { title: 'Customer', value: name(input.customer.companyName) || 'Unknown customer' },
      { title: 'Order', value: identifier(input.provisioning.orderId) },
    ],
    verdict: verdict.text,
    verdictColor: verdict.color,
    lines: lineRows(lines, input.previous?.lines),
    hasMore: lines.length > MAX_LINES,
    moreText: `and ${lines.length - MAX_LINES} more line items`,
  };
}
