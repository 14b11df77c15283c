// The cards of an order's provisioning (asked in chat) and of the alert for a watched order, and their view data. Lines are named by
// their product (from the order's line items); when the order could not be read they are counted instead,
// and the card says why.
import { isCustomerId, isOrderId } from '../../domain/ids.js';
import { isFulfilled, normaliseProvisioningState, provisioningVerdict, type ProvisioningVerdict } from '../../domain/provisioning.js';
import type { LineChange } from '../../domain/provisioningRecords.js';
import type { Customer, OrderLines, OrderProvisioning, ProvisioningLine, ProvisioningState } from '../../domain/types.js';
import { renderCard, type AdaptiveCardJson } from '../../cards.js';
import { buttons as button } from '../../cardData/buttons.js';
import { asOf, formatUtc, formatUtcDate, identifier, name, sentence, type CardButton, type ContainerStyle } from '../../cardData/format.js';

/** An order's line items with their provisioning state and the overall verdict. */
export function provisioningCard(input: ProvisioningInput): AdaptiveCardJson {
  return renderCard('provisioning', provisioningView(input), input.buttons);
}

/** The proactive alert for a watched order whose provisioning changed (or finished). */
export function provisioningAlertCard(input: ProvisioningAlertInput): AdaptiveCardJson {
  return renderCard('provisioningAlert', provisioningAlertView(input), provisioningAlertButtons(input));
}

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

/** Anything but fulfilled is what a support engineer looks for: bold. */
function stateWeight(state: ProvisioningState): 'Bolder' | 'Default' {
  return isFulfilled(state) ? 'Default' : 'Bolder';
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

const VERDICTS: Readonly<Record<ProvisioningVerdict, { text: string; style: ContainerStyle; alert: string }>> = {
  fulfilled: { text: 'All items are fulfilled.', style: 'good', alert: 'Order fully provisioned' },
  pending: { text: 'Some items are still pending.', style: 'emphasis', alert: 'Order provisioning changed' },
  unfulfilled: { text: 'Provisioning finished, but some items were not fulfilled.', style: 'attention', alert: 'Order finished with unfulfilled items' },
  empty: { text: 'This order has no line items.', style: 'emphasis', alert: 'Order has no line items' },
};

/** The product name of each line, by line item number; empty when the order could not be read. */
function productNames(products: OrderLines | undefined): Map<number, string> {
  const names = new Map<number, string>();
  if (!products?.ok) return names;
  for (const item of products.items) {
    const label = name(item.friendlyName, 120) || name(item.offerId, 80);
    if (label) names.set(item.lineItemNumber, label);
  }
  return names;
}

/** A line's label: its product, or (order unreadable) its place in the order, counted from one. */
function lineLabeller(lines: readonly ProvisioningLine[], products: OrderLines | undefined): (line: ProvisioningLine) => string {
  const names = productNames(products);
  const position = new Map([...lines].sort((a, b) => a.lineItemNumber - b.lineItemNumber).map((line, i) => [line.lineItemNumber, i + 1]));
  return (line) => names.get(line.lineItemNumber) ?? `Item ${position.get(line.lineItemNumber) ?? '?'} of ${lines.length}`;
}

/** Why the lines have no product names, when they have none; '' when they do (or there are no lines). */
function productsNote(lines: readonly ProvisioningLine[], products: OrderLines | undefined): string {
  if (lines.length === 0 || !products) return '';
  if (!products.ok) return sentence(`Product names are not shown: ${products.reason} Items are counted in Partner Center’s line order.`, 400);
  const named = productNames(products);
  return lines.some((line) => !named.has(line.lineItemNumber)) ? 'Some items have no product name in the order; they are counted in Partner Center’s line order.' : '';
}

function lineRows(lines: readonly ProvisioningLine[], products: OrderLines | undefined, changes: readonly LineChange[] | undefined) {
  const label = lineLabeller(lines, products);
  const changed = new Map((changes ?? []).map((change) => [change.lineItemNumber, change]));
  return [...lines]
    .sort((a, b) => a.lineItemNumber - b.lineItemNumber)
    .slice(0, MAX_LINES)
    .map((line) => {
      const change = changed.get(line.lineItemNumber);
      return {
        label: label(line),
        status: stateLabel(line.status),
        statusWeight: stateWeight(line.status),
        breakdown: quantityBreakdown(line),
        changed: change !== undefined,
        change: change ? `Changed: ${change.from ? `was ${stateLabel(change.from).toLowerCase()}` : 'new line'}` : '',
      };
    });
}

export interface ProvisioningInput {
  customer: Customer;
  provisioning: OrderProvisioning;
  /** The order's line items, to name each line by its product; absent shows counted lines without a note. */
  products?: OrderLines;
  now: Date;
  /** This conversation's watch of the order: shown as a line under the verdict. Absent shows nothing. */
  watch?: { by: string; since: string } | null;
  buttons?: readonly CardButton[];
}

export function provisioningView(input: ProvisioningInput) {
  const { lines } = input.provisioning;
  const verdict = VERDICTS[provisioningVerdict(lines)];
  const watch = input.watch;
  const note = productsNote(lines, input.products);
  return {
    title: `Provisioning of order ${identifier(input.provisioning.orderId)}`,
    subtitle: `${customerLine(input.customer)} · ${asOf(input.now)}`,
    verdict: verdict.text,
    hasWatch: Boolean(watch),
    watchText: watch
      ? `Watched here: changes are posted to this conversation until every line item is final (set by ${name(watch.by, 80) || 'someone'} on ${formatUtcDate(watch.since)}).`
      : '',
    hasProductsNote: note !== '',
    productsNote: note,
    lines: lineRows(lines, input.products, undefined),
    hasMore: lines.length > MAX_LINES,
    moreText: `and ${lines.length - MAX_LINES} more line items`,
  };
}

/** `Contoso · contoso.onmicrosoft.com`: the name people know and the domain that tells namesakes apart. */
function customerLine(customer: Customer): string {
  const company = name(customer.companyName) || 'Unknown customer';
  const domain = name(customer.domain);
  return domain && domain.toLowerCase() !== company.toLowerCase() ? `${company} · ${domain}` : company;
}

export interface ProvisioningAlertInput {
  customer: Customer;
  provisioning: OrderProvisioning;
  products?: OrderLines;
  /** The lines that changed since the last alert (the last fetch); absent or empty marks none. */
  changes?: readonly LineChange[];
  /** Every line item is final: this is the watch's last alert, and it has ended. */
  final?: boolean;
  updatedAt: Date;
  /** The card as posted to a conversation: Refresh, Customer and (while watched) Stop watching order. */
  interactive?: boolean;
  buttons?: readonly CardButton[];
}

/** Refresh and Customer, and Stop watching order while the watch lasts; only for ids a click can send back. */
export function provisioningAlertButtons(input: ProvisioningAlertInput): CardButton[] {
  const { customerId, orderId } = input.provisioning;
  if (!input.interactive || !isCustomerId(customerId) || !isOrderId(orderId)) return [...(input.buttons ?? [])];
  return [
    button.provisioning(customerId, orderId),
    button.overview(customerId),
    ...(input.final ? [] : [button.unwatchOrder(customerId, orderId)]),
    ...(input.buttons ?? []),
  ];
}

export function provisioningAlertView(input: ProvisioningAlertInput) {
  const { lines } = input.provisioning;
  const verdict = VERDICTS[provisioningVerdict(lines)];
  const label = lineLabeller(lines, input.products);
  const byNumber = new Map(lines.map((line) => [line.lineItemNumber, line]));
  const changes = (input.changes ?? []).slice(0, MAX_LINES).map((change) => {
    const line = byNumber.get(change.lineItemNumber);
    const what = line ? label(line) : `Line ${change.lineItemNumber}`;
    return { text: `${what}: ${change.from ? stateLabel(change.from).toLowerCase() : 'new'} → ${stateLabel(change.to).toLowerCase()}` };
  });
  const note = productsNote(lines, input.products);
  return {
    headerStyle: verdict.style,
    title: verdict.alert,
    customer: customerLine(input.customer),
    subtitle: `Order ${identifier(input.provisioning.orderId)} · ${formatUtc(input.updatedAt)}`,
    verdict: verdict.text,
    hasChanges: changes.length > 0,
    changesHeader: 'What changed since the last alert',
    changes,
    isFinal: input.final === true,
    finalText: 'Every line item is final, so this was the last alert: the order is no longer watched here.',
    hasProductsNote: note !== '',
    productsNote: note,
    lines: lineRows(lines, input.products, input.changes),
    hasMore: lines.length > MAX_LINES,
    moreText: `and ${lines.length - MAX_LINES} more line items`,
  };
}
