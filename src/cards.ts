// The Adaptive Cards the bot sends: one template per card in `cards/*.json`, filled with view data that
// src/cardData/ chooses and shapes. Each builder returns the expanded card as a plain JSON object. An alert
// source's own cards (incident and provisioning alerts, an order's provisioning) are built in its folder.
//
// Values are bound with adaptivecards-templating, which never expands a `${...}` that arrives inside data,
// so text from Partner Center or from users cannot inject template expressions.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'adaptivecards-templating';
import { customerOverviewView, type CustomerOverviewInput } from './cardData/customerOverview.js';
import { customerChoiceView, customersView, type CustomerChoiceInput, type CustomersInput } from './cardData/customers.js';
import { ordersView, type OrdersInput } from './cardData/orders.js';
import { renderActions, type CardButton } from './cardData/format.js';
import { helpView, welcomeView, type HelpInput, type WelcomeInput } from './cardData/help.js';
import { incidentHistoryView, type IncidentHistoryInput } from './cardData/incidentHistory.js';
import { statusView, type StatusInput } from './cardData/incidents.js';
import { messageButtons, messageView, type MessageInput } from './cardData/message.js';
import { subscriptionsView, type SubscriptionsInput } from './cardData/subscriptions.js';
import { watchesButtons, watchesView, type WatchesInput } from './cardData/watches.js';
import { digestView, type DigestInput } from './cardData/digest.js';

export type { CardButton } from './cardData/format.js';
export type { CustomerOverviewInput, OverviewWatch } from './cardData/customerOverview.js';
export type { CustomerChoiceInput, CustomersInput } from './cardData/customers.js';
export type { HelpInput, WelcomeInput } from './cardData/help.js';
export type { IncidentHistoryInput } from './cardData/incidentHistory.js';
export type { StatusInput } from './cardData/incidents.js';
export type { MessageInput, MessageTone } from './cardData/message.js';
export type { SubscriptionsInput } from './cardData/subscriptions.js';
export type { WatchesInput, WatchSummary } from './cardData/watches.js';
export type { DigestInput } from './cardData/digest.js';
export type { OrderListItem, OrdersInput } from './cardData/orders.js';
export {
  buttons,
  MUTE_HOURS,
  SUBSCRIPTION_FILTERS,
  VERBS,
  type FromAlert,
  type MuteHours,
  type SubscriptionFilter,
  type Verb,
  type WatchRef,
} from './cardData/buttons.js';
export { customersPage, MAX_CUSTOMERS } from './cardData/customers.js';
export { compareIncidents, MAX_INCIDENTS } from './cardData/incidents.js';
export { HISTORY_FIRST } from './cardData/incidentHistory.js';
export { MAX_SUBSCRIPTIONS, SUBSCRIPTIONS_PAGE_SIZE, subscriptionsPage } from './cardData/subscriptions.js';
export { MAX_WATCHES } from './cardData/watches.js';
export { ORDERS_PAGE_SIZE, ordersPage } from './cardData/orders.js';

/** Teams refuses activities of about 100 KB; stay well below with the card alone. */
export const MAX_CARD_BYTES = 80_000;

/** An expanded Adaptive Card, ready to be an attachment's `content`. */
export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version: string;
  body: unknown[];
  actions?: unknown[];
  [key: string]: unknown;
}

export const CARD_NAMES = [
  'help',
  'welcome',
  'message',
  'customers',
  'customerChoice',
  'status',
  'subscriptions',
  'provisioning',
  'incidentAlert',
  'incidentHistory',
  'customerOverview',
  'provisioningAlert',
  'watches',
  'digest',
  'subscriptionAlert',
  'orders',
  'accessAlert',
  'access',
  'accessExpiring',
] as const;
export type CardName = (typeof CARD_NAMES)[number];

/** Size of the card as Teams receives it (UTF-8 JSON). */
export function cardSizeBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

let cardsFolder: string | undefined;

/** The project's `cards/` folder: walk up from this file to the folder holding `cards/` and `package.json`. */
export function cardsDirectory(): string {
  if (cardsFolder) return cardsFolder;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'cards');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate) && statSync(candidate).isDirectory()) {
      cardsFolder = candidate;
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No cards/ folder next to a package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

const templates = new Map<CardName, Template>();

function template(name: CardName): Template {
  let cached = templates.get(name);
  if (!cached) {
    const file = join(cardsDirectory(), `${name}.json`);
    cached = new Template(JSON.parse(readFileSync(file, 'utf8')) as object);
    templates.set(name, cached);
  }
  return cached;
}

/** Expands the named template with view data and appends the buttons. */
export function renderCard(name: CardName, view: object, buttons?: readonly CardButton[]): AdaptiveCardJson {
  const card = template(name).expand({ $root: view }) as AdaptiveCardJson;
  const actions = renderActions(buttons);
  if (actions.length > 0) card.actions = [...(card.actions ?? []), ...actions];
  return card;
}

/** Every command with an example; `lead` goes first, e.g. `I didn't understand “xyz”.` */
export function helpCard(input: HelpInput = {}): AdaptiveCardJson {
  return renderCard('help', helpView(input), input.buttons);
}

/** The greeting after installation: what the bot does and three commands to try. */
export function welcomeCard(input: WelcomeInput = {}): AdaptiveCardJson {
  return renderCard('welcome', welcomeView(input), input.buttons);
}

/** A notice or an error: title, text, optionally a command to try; Help when the caller gives no buttons. */
export function messageCard(input: MessageInput): AdaptiveCardJson {
  return renderCard('message', messageView(input), messageButtons(input));
}

/** A list of customers (at most MAX_CUSTOMERS), each with the command to ask its status. */
export function customersCard(input: CustomersInput): AdaptiveCardJson {
  return renderCard('customers', customersView(input), input.buttons);
}

/** "Several customers match …": each candidate with the exact command to type. */
export function customerChoiceCard(input: CustomerChoiceInput): AdaptiveCardJson {
  return renderCard('customerChoice', customerChoiceView(input), input.buttons);
}

/** A customer's incidents: active ones by severity and start time; resolved ones counted. */
export function statusCard(input: StatusInput): AdaptiveCardJson {
  return renderCard('status', statusView(input), input.buttons);
}

/** A customer's product subscriptions, suspended and expired first, with counts by status. */
export function subscriptionsCard(input: SubscriptionsInput): AdaptiveCardJson {
  return renderCard('subscriptions', subscriptionsView(input), input.buttons);
}

/** A customer's orders, newest first, a page at a time: each opens its provisioning; one still provisioning can be watched. */
export function ordersCard(input: OrdersInput): AdaptiveCardJson {
  return renderCard('orders', ordersView(input), input.buttons);
}

/** Every update of one incident, newest first; the older ones behind a "Show all" toggle. */
export function incidentHistoryCard(input: IncidentHistoryInput): AdaptiveCardJson {
  return renderCard('incidentHistory', incidentHistoryView(input), input.buttons);
}

/** One customer at a glance: identity, incidents by severity, subscriptions by status, watch state. */
export function customerOverviewCard(input: CustomerOverviewInput): AdaptiveCardJson {
  return renderCard('customerOverview', customerOverviewView(input), input.buttons);
}

/** This conversation's watches, each with its own "Stop watching". */
export function watchesCard(input: WatchesInput): AdaptiveCardJson {
  return renderCard('watches', watchesView(input), watchesButtons(input));
}

/** A conversation's digest, or the summary of what its quiet hours held; one line when there is nothing to say. */
export function digestCard(input: DigestInput): AdaptiveCardJson {
  return renderCard('digest', digestView(input), input.buttons);
}
