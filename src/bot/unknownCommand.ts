// The answer to a message that is no command: one sentence, a "Did you mean …?" with a button that does it
// when a command word was mistyped, and Help. Not the whole help card: in a channel that is a wall of text
// for a typo.
import { buttons as b, messageCard, type CardButton } from '../cards.js';
import { suggestCommand } from '../domain/commandSuggestion.js';
import { parseCommand } from '../domain/commands.js';
import { commandButton } from './customerResolution.js';
import { cardReply, type Reply } from './reply.js';
import type { BotServices } from './services.js';

export async function unknownCommandReply(services: BotServices, correlationId: string, text: string, sentence: string): Promise<Reply> {
  const suggestion = suggestCommand(text);
  if (!suggestion) {
    return cardReply(messageCard({ title: sentence, text: '', buttons: [b.help()] }));
  }
  const button = await suggestionButton(services, correlationId, suggestion);
  return cardReply(
    messageCard({
      title: sentence,
      text: `Did you mean “${suggestion}”?`,
      // Without a button (the customer's name is ambiguous, or the command has none) it is there to type.
      tryThis: button ? undefined : suggestion,
      buttons: [...(button ? [button] : []), b.help()],
    }),
  );
}

/**
 * The button that runs the suggested command, as the card buttons of the same kind do. A command about a
 * customer needs its id, so the name must match exactly one customer; otherwise there is no button (a
 * failure to look the customer up costs only the button).
 */
async function suggestionButton(services: BotServices, correlationId: string, suggestion: string): Promise<CardButton | null> {
  const parsed = parseCommand(suggestion);
  if (!parsed.ok) return null;
  const command = parsed.command;
  if (command.kind === 'help') return null;
  if (command.kind === 'customers') return b.customers(command.prefix ?? '', 1, suggestion);
  if (command.kind === 'watches') return b.watches(suggestion);
  if (!('customer' in command) || !command.customer) return null;
  try {
    const match = await services.directory.resolve({ correlationId }, command.customer);
    return match.kind === 'one' ? commandButton(suggestion, match.customer, suggestion) : null;
  } catch {
    return null;
  }
}
