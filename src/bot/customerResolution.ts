// "contoso" → one customer, or the reply that asks the user to choose or to correct the name. Either reply
// carries a button per customer that runs the user's command for exactly that customer (by id, so two
// customers of the same name stay apart).
import { accessButtons } from '../sources/access/buttons.js';
import { buttons as b, customerChoiceCard, messageCard, type CardButton } from '../cards.js';
import { parseCommand } from '../domain/commands.js';
import type { CustomerMatch } from '../domain/customerMatch.js';
import { isCustomerId, isOrderId } from '../domain/ids.js';
import type { Customer } from '../domain/types.js';
import { cardReply, type Reply } from './reply.js';
import type { BotServices } from './services.js';

export type Resolution = { ok: true; customer: Customer } | { ok: false; reply: Reply };

/** Suggestions of the "No such customer" card that get a button of their own. */
const SUGGESTION_BUTTONS = 3;

/**
 * @param commandFor rebuilds the user's command for a given customer name, so the choice card can show
 *   exactly what to type next ("status for Contoso Electronics").
 */
export async function resolveCustomer(
  services: BotServices,
  correlationId: string,
  query: string,
  commandFor: (customerName: string) => string,
): Promise<Resolution> {
  const match = await services.directory.resolve({ correlationId }, query);
  return toResolution(match, query, commandFor);
}

export function toResolution(match: CustomerMatch, query: string, commandFor: (customerName: string) => string): Resolution {
  if (match.kind === 'one') return { ok: true, customer: match.customer };
  if (match.kind === 'many') {
    return {
      ok: false,
      reply: cardReply(
        customerChoiceCard({
          query,
          // Each button is named after its customer, so the candidates can be told apart without their rows.
          candidates: match.candidates.map((customer) => {
            const command = commandFor(customer.companyName);
            return { customer, command, button: commandButton(command, customer, candidateTitle(customer, match.candidates)) };
          }),
          buttons: [b.customers('', 1, 'All customers')],
        }),
      ),
    };
  }
  const suggestions = match.suggestions.map((customer) => customer.companyName);
  const hint =
    suggestions.length > 0
      ? `Did you mean ${suggestions.map((name) => `“${name}”`).join(' or ')}?`
      : 'Type “customers” and the start of a name to look it up.';
  const buttons = match.suggestions
    .slice(0, SUGGESTION_BUTTONS)
    .flatMap((customer) => commandButton(commandFor(customer.companyName), customer, customer.companyName) ?? []);
  return {
    ok: false,
    reply: cardReply(
      messageCard({
        title: 'No such customer',
        text: `No customer's name or domain starts with “${query}”. ${hint}`,
        tryThis: suggestions[0] ? commandFor(suggestions[0]) : 'customers',
        tone: 'warning',
        buttons: [...buttons, b.customers('', 1, 'All customers')],
      }),
    ),
  };
}

/** The customer's name; with its domain when another candidate has the same name. */
function candidateTitle(customer: Customer, candidates: readonly Customer[]): string {
  const label = customer.companyName.trim() || 'Unnamed customer';
  const twin = candidates.some((other) => other !== customer && other.companyName.trim().toLowerCase() === label.toLowerCase());
  return twin && customer.domain ? `${label} (${customer.domain})` : label;
}

/**
 * The button that does what `command` asks, for `customer`: the same verb a card button of that kind uses.
 * Null when the command has no button equivalent or an id could not travel in one; the card then shows the
 * command to type. `title` overrides the verb-like title (the suggestions' buttons name the customer).
 */
export function commandButton(command: string, customer: Customer, title?: string): CardButton | null {
  const parsed = parseCommand(command);
  if (!parsed.ok || !isCustomerId(customer.id)) return null;
  const id = customer.id;
  const c = parsed.command;
  switch (c.kind) {
    case 'status':
      return b.status(id, title ?? 'Show incidents');
    case 'subscriptions':
      return b.subscriptions(id, 'all', 1, title ?? 'Show subscriptions');
    case 'provisioning':
      return isOrderId(c.orderId) ? b.provisioning(id, c.orderId, title ?? 'Show order') : null;
    case 'watchOrder':
      return isOrderId(c.orderId) ? b.watchOrder(id, c.orderId, title ?? 'Watch this order') : null;
    case 'watchCustomer':
      return b.watchCustomer(id, {}, title ?? 'Watch here');
    case 'unwatchCustomer':
      return b.unwatchCustomer(id, {}, title ?? 'Stop watching');
    case 'accessFor':
      return accessButtons.access(id, title ?? 'Show access');
    default:
      return null;
  }
}
