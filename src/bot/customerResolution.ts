// "contoso" → one customer, or the reply that asks the user to choose or to correct the name.
import { customerChoiceCard, messageCard } from '../cards.js';
import type { CustomerMatch } from '../domain/customerMatch.js';
import type { Customer } from '../domain/types.js';
import { cardReply, type Reply } from './reply.js';
import type { BotServices } from './services.js';

export type Resolution = { ok: true; customer: Customer } | { ok: false; reply: Reply };

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
          candidates: match.candidates.map((customer) => ({ customer, command: commandFor(customer.companyName) })),
        }),
      ),
    };
  }
  const suggestions = match.suggestions.map((customer) => customer.companyName);
  const hint =
    suggestions.length > 0
      ? `Did you mean ${suggestions.map((name) => `“${name}”`).join(' or ')}?`
      : 'Type “customers” and the start of a name to look it up.';
  return {
    ok: false,
    reply: cardReply(
      messageCard({
        title: 'No such customer',
        text: `No customer's name or domain starts with “${query}”. ${hint}`,
        tryThis: suggestions[0] ? commandFor(suggestions[0]) : 'customers',
        tone: 'warning',
      }),
    ),
  };
}
