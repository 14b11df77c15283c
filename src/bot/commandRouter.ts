// Text → command → replies. The one place where a failure of any command becomes a plain sentence.
import { buttons as b, helpCard, messageCard } from '../cards.js';
import { parseCommand, type Command } from '../domain/commands.js';
import { commandFailureLine } from './failureLog.js';
import { describeFailure } from './failureText.js';
import { customersCommand, ordersCommand, provisioningCommand, statusCommand, subscriptionsCommand } from './lookupCommands.js';
import { cardReply, textReply, type Reply } from './reply.js';
import type { BotServices } from './services.js';
import { digestCommand, quietHoursCommand, scheduleReply } from './scheduleCommands.js';
import { unwatchSubscriptionsCommand, watchSubscriptionsCommand } from './subscriptionWatches.js';
import { ticketMapCommand, ticketsCommand, ticketsUnmappedCommand, ticketUnmapCommand } from './ticketCommands.js';
import { accessExpiringCommand, accessForCommand, unwatchAccessCommand, watchAccessCommand } from './accessCommands.js';
import type { CommandContext, CommandHandler } from './teamsBot.js';
import { threadRootOf } from './targets.js';
import { unknownCommandReply } from './unknownCommand.js';
import {
  excludeCustomerCommand,
  unwatchAllCommand,
  unwatchCustomerCommand,
  unwatchOrderCommand,
  watchAllCommand,
  watchCustomerCommand,
  watchesCommand,
  watchOrderCommand,
} from './watchCommands.js';

/** Where the help card leads by a click: the customer list and this conversation's watches. */
const HELP_BUTTONS = () => [b.customers('', 1), b.watches()];

export class CommandRouter implements CommandHandler {
  constructor(private readonly services: BotServices) {}

  async handle(text: string, ctx: CommandContext): Promise<Reply[]> {
    const parsed = parseCommand(text);
    if (!parsed.ok) {
      if (parsed.reason === 'unknown') return [await unknownCommandReply(this.services, ctx.correlationId, text, parsed.message)];
      if (parsed.reason === 'empty') return [cardReply(helpCard({ lead: parsed.message, buttons: HELP_BUTTONS() }))];
      return [cardReply(messageCard({ title: 'Not quite', text: parsed.message, tryThis: parsed.example, tone: 'warning' }))];
    }
    const log = this.services.log.child({ correlationId: ctx.correlationId, command: parsed.command.kind });
    try {
      const replies = await this.run(parsed.command, ctx);
      log.info('command answered');
      return replies;
    } catch (error) {
      // `summary` is the line the sandbox terminal shows; createLogger drops the stack of Partner Center's refusals.
      log.warn({ err: error, summary: commandFailureLine(parsed.command, error) }, 'command failed');
      const failure = describeFailure(error, {
        customerName: 'customer' in parsed.command ? (parsed.command.customer ?? undefined) : undefined,
        orderId: 'orderId' in parsed.command ? parsed.command.orderId : undefined,
        doing: doing(parsed.command),
        correlationId: ctx.correlationId,
      });
      return [cardReply(messageCard({ title: failure.title, text: failure.text, tone: 'error' }))];
    }
  }

  private async run(command: Command, ctx: CommandContext): Promise<Reply[]> {
    const { correlationId, now } = ctx;
    const services = this.services;
    switch (command.kind) {
      case 'help':
        return [cardReply(helpCard({ buttons: HELP_BUTTONS() }))];
      case 'customers':
        return customersCommand(services, correlationId, command.prefix, now);
      case 'status':
        return statusCommand(services, correlationId, command.customer, now);
      case 'subscriptions':
        return subscriptionsCommand(services, correlationId, command.customer, now);
      case 'orders':
        return ordersCommand(services, correlationId, command.customer, now, ctx.target.key);
      case 'provisioning':
        return provisioningCommand(services, correlationId, command.orderId, command.customer, now, ctx.target.key);
      case 'watchCustomer':
        return watchCustomerCommand(services, ctx, command.customer, command.filters);
      case 'watchAll':
        return watchAllCommand(services, ctx, command.filters);
      case 'watchOrder':
        return watchOrderCommand(services, ctx, command.orderId, command.customer);
      case 'unwatchCustomer':
        return unwatchCustomerCommand(services, ctx, command.customer);
      case 'excludeCustomer':
        return excludeCustomerCommand(services, ctx, command.customer);
      case 'unwatchAll':
        return unwatchAllCommand(services, ctx);
      case 'unwatchOrder':
        return unwatchOrderCommand(services, ctx, command.orderId);
      case 'watches':
        return [...watchesCommand(services, ctx), scheduleReply(services, ctx)];
      case 'pollNow':
        return this.pollNow(ctx);
      case 'digest':
        return digestCommand(services, ctx, command);
      case 'quietHours':
        return quietHoursCommand(services, ctx, command);
      case 'watchSubscriptions':
        return watchSubscriptionsCommand(services, ctx, command.customer, command.filters);
      case 'unwatchSubscriptions':
        return unwatchSubscriptionsCommand(services, ctx, command.customer);
      case 'tickets':
        return ticketsCommand(services, ctx);
      case 'ticketsUnmapped':
        return ticketsUnmappedCommand(services, ctx);
      case 'ticketMap':
        return ticketMapCommand(services, ctx, command.customer, command.companyId);
      case 'ticketUnmap':
        return ticketUnmapCommand(services, ctx, command.customer);
      case 'accessFor':
        return accessForCommand(services, correlationId, command.customer, now);
      case 'accessExpiring':
        return accessExpiringCommand(services, command.days, now);
      case 'watchAccess':
        return watchAccessCommand(services, ctx, command.customer);
      case 'unwatchAccess':
        return unwatchAccessCommand(services, ctx, command.customer);
    }
  }

  /** Answers at once; the sweep round posts its summary in this conversation when it ends. */
  private async pollNow(ctx: CommandContext): Promise<Reply[]> {
    // In a channel the answer goes to the command's thread: so does the summary.
    const answer = await this.services.engine.pollNow(ctx.target.key, threadRootOf(ctx.activity));
    const eta = describeDuration(answer.etaSeconds);
    const others = answer.others ?? [];
    const total = answer.customers + answer.orders + others.reduce((sum, other) => sum + other.count, 0);
    if (total === 0) return [textReply('Nothing is watched yet, so there is nothing to check. Try “watch contoso”.')];
    const count = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
    const parts = [
      ...(answer.customers > 0 || (answer.orders === 0 && others.length === 0) ? [count(answer.customers, 'customer')] : []),
      ...(answer.orders > 0 ? [count(answer.orders, 'order')] : []),
      ...others.map((other) => count(other.count, other.noun)),
    ];
    const what = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '');
    const text = answer.alreadyRunning
      ? `A check is already running: ${answer.done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} done, ${eta} left. I’ll post the summary here when it ends.`
      : `Checking ${what}; ${eta} at the current budget. Alerts go out as changes are found; I’ll post the summary here when it ends.`;
    return [textReply(text)];
  }
}

function describeDuration(seconds: number): string {
  if (seconds < 60) return 'under a minute';
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `about ${minutes} minute${minutes === 1 ? '' : 's'}` : `about ${Math.round(minutes / 60)} hours`;
}

function doing(command: Command): string {
  switch (command.kind) {
    case 'status':
      return `reading the incidents of ${command.customer}`;
    case 'subscriptions':
      return `reading the subscriptions of ${command.customer}`;
    case 'orders':
      return `reading the orders of ${command.customer}`;
    case 'provisioning':
      return `reading the provisioning of order ${command.orderId}`;
    case 'customers':
      return 'listing customers';
    case 'accessFor':
      return `reading the GDAP relationships of ${command.customer}`;
    case 'accessExpiring':
      return 'listing the GDAP relationships';
    case 'pollNow':
      return 'polling Partner Center';
    case 'digest':
    case 'quietHours':
      return 'changing the digest or quiet hours';
    case 'tickets':
    case 'ticketsUnmapped':
    case 'ticketMap':
    case 'ticketUnmap':
      return 'reading the customers for PSA tickets';
    default:
      return 'changing the watches';
  }
}
