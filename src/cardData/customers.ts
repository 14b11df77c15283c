// View data of the customer list and of the "which customer did you mean?" card.
import { isCustomerId } from '../domain/ids.js';
import type { Customer, RelationshipToPartner } from '../domain/types.js';
import { buttons as button } from './buttons.js';
import { asOf, command, count, name, quote, renderAction, renderActions, type CardButton } from './format.js';

/** Most customers one card lists (one page); Next/Previous buttons page through the rest. */
export const MAX_CUSTOMERS = 25;

const RELATIONSHIPS: Readonly<Record<RelationshipToPartner, string>> = {
  reseller: 'Reseller',
  advisor: 'Advisor',
  syndication: 'Syndication',
  microsoft_support: 'Microsoft support',
  none: 'No relationship',
  unknown: 'Relationship unknown',
};

export function relationshipLabel(relationship: RelationshipToPartner): string {
  return RELATIONSHIPS[relationship] ?? name(relationship);
}

function detail(customer: Customer): string {
  const domain = name(customer.domain);
  return [domain, relationshipLabel(customer.relationshipToPartner)].filter((part) => part !== '').join(' · ');
}

export interface CustomersInput {
  /** The prefix the user asked for, or null/empty for all customers. */
  prefix: string | null;
  customers: readonly Customer[];
  /** How many customers match in all (may exceed `customers.length` when the caller stopped paging). */
  total?: number;
  /** How many to show at most (capped at MAX_CUSTOMERS). */
  shown?: number;
  /** 1-based page of MAX_CUSTOMERS over `customers`; a page past the end shows the last one. */
  page?: number;
  now?: Date;
  buttons?: readonly CardButton[];
}

/** The page actually shown and the number of pages, for the card and for its Next/Previous buttons. */
export function customersPage(input: Pick<CustomersInput, 'customers' | 'page'>): { page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(input.customers.length / MAX_CUSTOMERS));
  return { page: Math.min(Math.max(1, Math.floor(input.page ?? 1)), pages), pages };
}

export function customersView(input: CustomersInput) {
  const limit = Math.max(0, Math.min(input.shown ?? MAX_CUSTOMERS, MAX_CUSTOMERS));
  const { page } = customersPage(input);
  const start = (page - 1) * MAX_CUSTOMERS;
  const rows = input.customers.slice(start, start + limit);
  const total = Math.max(input.total ?? input.customers.length, input.customers.length);
  const prefix = input.prefix?.trim() ?? '';
  const more = total - start - rows.length;
  const title = prefix === '' ? 'Customers' : `Customers starting with ${quote(name(prefix, 60))}`;
  const range = start === 0 ? `${rows.length}` : `${start + 1}–${start + rows.length}`;
  const counted = total === 0 ? '' : rows.length < total ? `Showing ${range} of ${total}` : count(total, 'customer');
  const row = (customer: Customer) => ({
    name: name(customer.companyName) || 'Unnamed customer',
    detail: detail(customer),
    command: command(`status for ${customer.companyName}`),
  });
  const anyClickable = rows.some((customer) => isCustomerId(customer.id));
  return {
    title,
    subtitle: [counted, input.now ? asOf(input.now) : ''].filter((part) => part !== '').join(' · '),
    hasHint: anyClickable,
    hint: 'Click a customer for its overview: incidents, subscriptions and watching.',
    isEmpty: total === 0,
    emptyText:
      prefix === ''
        ? 'I found no customers for this partner account.'
        : `No customer’s name starts with ${quote(name(prefix, 60))}. Try a shorter prefix, or “customers” for all.`,
    // A row opens the customer's overview when clicked; the template has a plain variant for other ids,
    // which shows the command to type instead.
    rows: rows.map((customer) => ({
      ...row(customer),
      clickable: isCustomerId(customer.id),
      select: isCustomerId(customer.id) ? renderAction(button.overview(customer.id, `Open ${name(customer.companyName, 40)}`)) : null,
    })),
    hasMore: more > 0,
    moreText: `and ${count(more, 'more customer')}${prefix === '' ? ' — type “customers” and the start of a name to narrow the list' : ' — type more of the name to narrow the list'}`,
  };
}

export interface CustomerChoiceInput {
  /** What the user typed for the customer, e.g. `con`. */
  query: string;
  /**
   * Each match with the user's command rewritten for it, e.g. `status for Contoso Electronics`, and the
   * button that runs it for exactly that customer (a row without one shows the command to type).
   */
  candidates: readonly { customer: Customer; command: string; button?: CardButton | null; detail?: string }[];
  buttons?: readonly CardButton[];
  /** Instead of "Several customers match …" (e.g. the customers of an alert). */
  title?: string;
  subtitle?: string;
  /** Rows shown at most (MAX_CUSTOMERS by default); the rest are counted under them. */
  shown?: number;
  /** The line under the rows when some are not shown. */
  moreText?: (more: number) => string;
}

export function customerChoiceView(input: CustomerChoiceInput) {
  const rows = input.candidates.slice(0, Math.min(input.shown ?? MAX_CUSTOMERS, MAX_CUSTOMERS));
  const more = input.candidates.length - rows.length;
  const allButtons = rows.every((row) => row.button);
  return {
    title: input.title ?? `Several customers match ${quote(name(input.query, 60))}.`,
    subtitle:
      input.subtitle ?? (allButtons ? 'Which one did you mean? Pick it with its button.' : 'Which one did you mean? Pick it with its button, or type the command under its name.'),
    rows: rows.map(({ customer, command: text, button, detail: shownDetail }) => {
      const actions = renderActions(button ? [button] : []);
      return {
        name: name(customer.companyName) || 'Unnamed customer',
        detail: shownDetail ?? detail(customer),
        hasButton: actions.length > 0,
        actions,
        command: command(text),
      };
    }),
    hasMore: more > 0,
    moreText: input.moreText ? input.moreText(more) : `and ${count(more, 'more match', 'more matches')} — type more of the name to narrow it down`,
  };
}
