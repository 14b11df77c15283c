// The PSA ticket commands: `tickets` (the PSA, its rules, the bot's open tickets, the unmapped customers),
// `tickets unmapped` (each watched customer without a PSA company, with buttons for the likely ones), and
// `ticket map <customer> to <company id>` / `ticket unmap <customer>`, kept in the store.
import { buttons as b, messageCard, VERBS, type AdaptiveCardJson, type CardButton } from '../cards.js';
import { watchesEveryCustomer } from '../domain/watch.js';
import type { Customer } from '../domain/types.js';
import { candidateCompanies } from '../tickets/companyMatch.js';
import { PsaError, type PsaCompany } from '../tickets/connector.js';
import type { TicketDestination } from '../tickets/ticketDestination.js';
import type { TicketSettings } from '../tickets/ticketSettings.js';
import { resolveCustomer } from './customerResolution.js';
import { cardReply, type Reply } from './reply.js';
import type { BotServices } from './services.js';
import type { WatchContext } from './watchBook.js';

/** What the bot needs of PSA tickets (absent: TICKETS is off). */
export interface TicketDesk {
  destination: TicketDestination;
  settings: TicketSettings;
}

const PSA_NAMES: Record<string, string> = { autotask: 'Autotask', connectwise: 'ConnectWise PSA' };
/** Teams shows a handful of actions well; the rest are listed with their ids to type. */
const MAX_BUTTONS = 6;
const LISTED = 25;

export const mapButton = (customer: Customer, company: PsaCompany): CardButton => ({
  title: `${customer.companyName} → ${company.name}`.slice(0, 80),
  verb: VERBS.ticketMap,
  data: { customerId: customer.id, companyId: company.id },
});

export async function ticketsCommand(services: BotServices, ctx: WatchContext): Promise<Reply[]> {
  const desk = services.tickets;
  if (!desk) return [off()];
  const { settings } = desk;
  const records = services.store.ports.tickets.all();
  const open = records.filter((record) => record.state === 'open').length;
  const unmapped = await psa(desk, () => unmappedCustomers(services, desk, ctx));
  const lines = [
    `Tickets go to ${PSA_NAMES[settings.psa.kind]}: one per problem episode per customer.`,
    `Rules: severity ${settings.minSeverity} or worse opens a ticket; sources ${settings.sources.join(', ')} (provisioning only when it fails).`,
    settings.defaultCompanyId === null
      ? 'A customer without a PSA company gets no ticket (each watching conversation is told once).'
      : `A customer without a PSA company goes to company ${settings.defaultCompanyId}, named in the ticket.`,
    `Open tickets made by the bot: ${open}.`,
    // A PSA that refuses (401, 403) or fails: what the bot knows without it, and one line naming the problem.
    'problem' in unmapped
      ? `${PSA_NAMES[settings.psa.kind]} did not answer, so the unmapped customers cannot be listed: ${unmapped.reason}`
      : unmapped.value.length === 0
        ? 'Every watched customer has a PSA company.'
        : `Watched customers without a PSA company: ${unmapped.value.map((entry) => entry.customer.companyName).slice(0, LISTED).join(', ')}${unmapped.value.length > LISTED ? ` and ${unmapped.value.length - LISTED} more` : ''}.`,
  ];
  const buttons = 'value' in unmapped && unmapped.value.length > 0 ? [{ title: 'Unmapped customers', verb: VERBS.ticketsUnmapped, data: {} }, b.help()] : [b.help()];
  return [cardReply(messageCard({ title: 'PSA tickets', text: lines.join('\n'), buttons, ...('problem' in unmapped ? { tone: 'warning' as const } : {}) }))];
}

export async function ticketsUnmappedCommand(services: BotServices, ctx: WatchContext): Promise<Reply[]> {
  return [cardReply(await unmappedCard(services, ctx))];
}

/** The watched customers without a PSA company, each with its likely companies (buttons for the first ones). */
export async function unmappedCard(services: BotServices, ctx: WatchContext): Promise<AdaptiveCardJson> {
  const desk = services.tickets;
  if (!desk) return offCard();
  const unmapped = await psa(desk, () => unmappedCustomers(services, desk, ctx));
  if ('problem' in unmapped) return unmapped.problem;
  if (unmapped.value.length === 0) {
    return messageCard({ title: 'Every watched customer has a PSA company', text: 'Each one matched by domain or name, or was mapped by hand.', tone: 'success' });
  }
  const lines = unmapped.value.slice(0, LISTED).map(({ customer, candidates }) =>
    `${customer.companyName} (${customer.domain}): ${candidates.length > 0 ? `likely ${candidates.map((c) => `${c.name} (${c.id})`).join(', ')}` : 'no likely company'}`,
  );
  if (unmapped.value.length > LISTED) lines.push(`… and ${unmapped.value.length - LISTED} more.`);
  const buttons = unmapped.value.flatMap(({ customer, candidates }) => candidates.map((company) => mapButton(customer, company))).slice(0, MAX_BUTTONS);
  return messageCard({
    title: `${unmapped.value.length} watched customer${unmapped.value.length === 1 ? '' : 's'} without a PSA company`,
    text: lines.join('\n'),
    tryThis: `ticket map ${unmapped.value[0]!.customer.companyName} to <company id>`,
    tone: 'warning',
    buttons: buttons.length > 0 ? buttons : [b.help()],
  });
}

export async function ticketMapCommand(services: BotServices, ctx: WatchContext, query: string, companyId: number): Promise<Reply[]> {
  if (!services.tickets) return [off()];
  const resolution = await resolveCustomer(services, ctx.correlationId, query, (name) => `ticket map ${name} to ${companyId}`);
  if (!resolution.ok) return [resolution.reply];
  return [cardReply(await mapCustomer(services, ctx, resolution.customer, companyId))];
}

/** Checks the company exists in the PSA, then stores the link. */
export async function mapCustomer(services: BotServices, ctx: WatchContext, customer: Customer, companyId: number): Promise<AdaptiveCardJson> {
  const desk = services.tickets;
  if (!desk) return offCard();
  const found = await psa(desk, () => desk.destination.companies.connector.company(companyId));
  if ('problem' in found) return found.problem;
  const name = PSA_NAMES[desk.settings.psa.kind];
  if (!found.value) {
    return messageCard({ title: 'No such company', text: `${name} has no company with the id ${companyId}; "tickets unmapped" shows the likely ones with their ids.`, tone: 'warning' });
  }
  const company = found.value;
  await services.store.transaction((tx) =>
    tx.ticketCompanies.put({
      customerId: customer.id, customerName: customer.companyName, companyId: company.id, companyName: company.name, setBy: ctx.user.name, setAt: ctx.now.toISOString(),
    }),
  );
  return messageCard({ title: 'Mapped', text: `${customer.companyName}'s tickets now go to ${company.name} (${company.id}) in ${name}.`, tone: 'success' });
}

export async function ticketUnmapCommand(services: BotServices, ctx: WatchContext, query: string): Promise<Reply[]> {
  if (!services.tickets) return [off()];
  const resolution = await resolveCustomer(services, ctx.correlationId, query, (name) => `ticket unmap ${name}`);
  if (!resolution.ok) return [resolution.reply];
  const { customer } = resolution;
  const removed = await services.store.transaction((tx) => tx.ticketCompanies.remove(customer.id));
  const text = removed
    ? `${customer.companyName} is no longer mapped to ${removed.companyName} by hand: its tickets go to the company found by domain or name, if any.`
    : `${customer.companyName} was not mapped by hand; nothing changed.`;
  return [cardReply(messageCard({ title: removed ? 'Unmapped' : 'Nothing to unmap', text, tone: removed ? 'success' : 'info' }))];
}

interface Unmapped {
  customer: Customer;
  candidates: PsaCompany[];
}

/** Every customer some watch covers (one by one, or through an "all" watch), without a company of its own. */
async function unmappedCustomers(services: BotServices, desk: TicketDesk, ctx: WatchContext): Promise<Unmapped[]> {
  const watches = services.store.ports.watches.all().filter((watch) => watch.kind !== 'order');
  const everyone = watches.some(watchesEveryCustomer) ? await services.directory.all({ correlationId: ctx.correlationId }) : [];
  const byId = new Map<string, Customer>();
  for (const customer of everyone) {
    const excludedEverywhere = watches.filter(watchesEveryCustomer).every((watch) => watch.excluded?.some((c) => c.customerId === customer.id));
    if (!excludedEverywhere) byId.set(customer.id, customer);
  }
  for (const watch of watches) {
    if (!watch.customerId || byId.has(watch.customerId)) continue;
    const customer = await services.directory.lookup({ correlationId: ctx.correlationId }, watch.customerId);
    if (customer) byId.set(customer.id, customer);
  }
  const companies = await desk.destination.companies.all();
  const unmapped: Unmapped[] = [];
  for (const customer of [...byId.values()].sort((a, b) => a.companyName.localeCompare(b.companyName))) {
    const own = await desk.destination.companies.own({ tenantId: customer.id, name: customer.companyName, domain: customer.domain });
    if (!own) unmapped.push({ customer, candidates: candidateCompanies({ name: customer.companyName, domains: [customer.domain] }, companies) });
  }
  return unmapped;
}

/** A PSA that fails answers with one sentence, never a stack. */
async function psa<T>(desk: TicketDesk, work: () => Promise<T>): Promise<{ value: T } | { problem: AdaptiveCardJson; reason: string }> {
  try {
    return { value: await work() };
  } catch (error) {
    if (!(error instanceof PsaError)) throw error;
    const name = PSA_NAMES[desk.settings.psa.kind];
    return { problem: messageCard({ title: `${name} did not answer as hoped`, text: error.message, tone: 'error' }), reason: error.message };
  }
}

function off(): Reply {
  return cardReply(offCard());
}

function offCard(): AdaptiveCardJson {
  return messageCard({ title: 'PSA tickets are off', text: 'Set TICKETS=autotask or TICKETS=connectwise with the PSA\'s settings (see "Tickets and webhooks" in the README), then restart.', tone: 'info' });
}
