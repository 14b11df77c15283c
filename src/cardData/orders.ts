// View data of a customer's recent orders: newest first, ORDERS_PAGE_SIZE to a page; each row opens the
// order's provisioning, and an order still provisioning has a Watch button (unless this conversation
// watches it already). A user no longer has to know an order id to look at one.
import { isCustomerId, isOrderId } from '../domain/ids.js';
import type { Customer } from '../domain/types.js';
import { buttons as button } from './buttons.js';
import { asOf, count, formatUtcDate, identifier, name, renderAction, renderActions, type CardButton } from './format.js';

export const ORDERS_PAGE_SIZE = 10;
/** Products named on one row; the rest are counted. */
const PRODUCTS_SHOWN = 3;

/** An order as Partner Center lists it (GET /customers/{id}/orders). */
export interface OrderListItem {
  id: string;
  /** unknown, completed, pending or cancelled (others kept as they come). */
  status: string;
  creationDate: string | null;
  lineItems: readonly { friendlyName: string; quantity?: number | null }[];
}

export interface OrdersInput {
  customer: Customer;
  orders: readonly OrderListItem[];
  /** 1-based; a page past the end shows the last one. */
  page?: number;
  /** Orders this conversation watches (their rows say so instead of offering Watch). */
  watched?: ReadonlySet<string>;
  now?: Date;
  buttons?: readonly CardButton[];
}

const STATUS_WORDS: Readonly<Record<string, string>> = { pending: 'Provisioning', completed: 'Completed', cancelled: 'Cancelled', unknown: 'Unknown status' };

/** Still provisioning: Partner Center's order status `pending`. */
export const isProvisioning = (order: Pick<OrderListItem, 'status'>): boolean => order.status.trim().toLowerCase() === 'pending';

/** Newest first; orders without a date last, then by id so the order of a page never shifts. */
export function newestFirst<T extends OrderListItem>(orders: readonly T[]): T[] {
  const at = (order: T) => {
    const ms = order.creationDate ? Date.parse(order.creationDate) : Number.NaN;
    return Number.isNaN(ms) ? -Infinity : ms;
  };
  return [...orders].sort((a, b) => at(b) - at(a) || a.id.localeCompare(b.id));
}

export function ordersPage(input: Pick<OrdersInput, 'orders' | 'page'>): { page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(input.orders.length / ORDERS_PAGE_SIZE));
  return { page: Math.min(Math.max(1, Math.floor(input.page ?? 1)), pages), pages };
}

function products(order: OrderListItem): string {
  const names = order.lineItems.map((line) => {
    const product = name(line.friendlyName, 60) || 'Unnamed product';
    return line.quantity ? `${product} ×${line.quantity}` : product;
  });
  const more = names.length - PRODUCTS_SHOWN;
  if (names.length === 0) return 'No line items listed';
  return more > 0 ? `${names.slice(0, PRODUCTS_SHOWN).join(', ')} and ${count(more, 'more product')}` : names.join(', ');
}

export function ordersView(input: OrdersInput) {
  const sorted = newestFirst(input.orders);
  const { page, pages } = ordersPage(input);
  const start = (page - 1) * ORDERS_PAGE_SIZE;
  const shown = sorted.slice(start, start + ORDERS_PAGE_SIZE);
  const customerName = name(input.customer.companyName) || 'this customer';
  const range = sorted.length <= ORDERS_PAGE_SIZE ? count(sorted.length, 'order') : `Orders ${start + 1}–${start + shown.length} of ${sorted.length}`;
  const canClick = isCustomerId(input.customer.id);
  return {
    title: `Orders of ${customerName}`,
    subtitle: [range, 'newest first', pages > 1 ? `page ${page} of ${pages}` : '', input.now ? asOf(input.now) : ''].filter(Boolean).join(' · '),
    isEmpty: sorted.length === 0,
    emptyText: `Partner Center lists no orders for ${customerName}.`,
    hasHint: shown.length > 0 && canClick,
    hint: 'Click an order for the provisioning of its line items.',
    rows: shown.map((order) => {
      const clickable = canClick && isOrderId(order.id);
      const watchedHere = input.watched?.has(order.id) ?? false;
      const watch = clickable && isProvisioning(order) && !watchedHere ? [button.watchOrder(input.customer.id, order.id, 'Watch')] : [];
      return {
        title: `Order ${identifier(order.id, 64)}`,
        status: STATUS_WORDS[order.status.trim().toLowerCase()] ?? (name(order.status, 30) || STATUS_WORDS.unknown),
        detail: [formatUtcDate(order.creationDate), products(order), watchedHere ? 'watched here' : ''].filter(Boolean).join(' · '),
        clickable,
        plain: !clickable,
        // A button title is plain text (never markdown): the id as it is, which isOrderId keeps to a safe shape.
        select: clickable ? renderAction(button.provisioning(input.customer.id, order.id, `Provisioning of ${order.id}`)) : null,
        // The command a row without a click shows instead.
        command: `provisioning order ${identifier(order.id, 64)} for ${customerName}`,
        hasWatch: watch.length > 0,
        watchActions: renderActions(watch),
      };
    }),
  };
}
