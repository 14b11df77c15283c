// The Teams face of the bot: keeps conversation references, refuses foreign tenants, routes messages to
// the command handler and card clicks to the card-action handler, and always answers.
import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type InvokeResponse,
  type TeamInfo,
} from 'botbuilder';
import type { Logger } from 'pino';
import { cardReply, textReply, type Reply } from './reply.js';
import { tenantOf, type TargetBook } from './targets.js';
import type { Target } from '../store/state.js';
import { StoreUnavailableError } from '../store/stateStore.js';

export interface CommandContext {
  correlationId: string;
  target: Target;
  user: { id: string; name: string };
  now: Date;
  /** Where the command came from, so a reply can be threaded under it in a channel. */
  activity: Activity;
}

export interface CommandHandler {
  handle(text: string, ctx: CommandContext): Promise<Reply[]>;
}

export interface CardActionHandler {
  handle(value: AdaptiveCardInvokeValue, ctx: CommandContext & { turn: TurnContext }): Promise<AdaptiveCardInvokeResponse>;
}

export interface TeamsBotOptions {
  targets: TargetBook;
  commands: CommandHandler;
  cardActions: CardActionHandler;
  welcome: () => Reply[];
  /** Lower-cased Teams tenant ids allowed to use the bot; "*" allows any (sandbox only). */
  allowedTenantIds: string[];
  log: Logger;
  now?: () => Date;
  /** Before each turn: see what other instances changed (PostgreSQL), so any instance answers alike. */
  beforeTurn?: () => Promise<void>;
}

export const FOREIGN_TENANT_TEXT =
  'This bot works only for the partner organisation that runs it. Ask your administrator if you think you should have access.';

export class TeamsBot extends TeamsActivityHandler {
  private readonly now: () => Date;

  constructor(private readonly options: TeamsBotOptions) {
    super();
    this.now = options.now ?? (() => new Date());

    this.onMessage(async (context, next) => {
      if (await this.refuseForeignTenant(context)) return next();
      const ctx = await this.commandContext(context);
      const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
      const submitted = submittedAction(context.activity, text);
      if (submitted) {
        // An older client's Action.Submit fallback: the same handler as the invoke; the card comes as a message.
        const response = await this.options.cardActions.handle(submitted, { ...ctx, turn: context });
        await send(context, [response.type === 'application/vnd.microsoft.card.adaptive' ? cardReply(response.value as object) : textReply(String(response.value))]);
        return next();
      }
      const replies = await this.options.commands.handle(text, ctx);
      await send(context, replies);
      return next();
    });

    this.onInstallationUpdateAdd(async (context, next) => {
      if (await this.refuseForeignTenant(context)) return next();
      await this.options.targets.remember(context.activity, this.now());
      await send(context, this.options.welcome());
      return next();
    });

    this.onTeamsTeamDeletedEvent(async (teamInfo: TeamInfo, _context, next) => {
      if (teamInfo.id) await this.options.targets.deactivateTeam(teamInfo.id, 'team deleted', this.now());
      return next();
    });

    this.onInstallationUpdateRemove(async (context, next) => {
      const teamId = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
      if (teamId) await this.options.targets.deactivateTeam(teamId, 'app uninstalled', this.now());
      else await this.options.targets.deactivate(context.activity.conversation.id, 'app uninstalled', this.now());
      return next();
    });
  }

  /**
   * botbuilder answers a malformed adaptiveCard/action itself (400, or a 500 when `action` is missing), which
   * Teams shows as "Something went wrong". Hand every such invoke to the card-action handler instead; it
   * checks the payload and always answers with a card.
   */
  override async run(context: TurnContext): Promise<void> {
    // A turn answered from a moment-old state is still answered: a failed look is logged, not fatal. An
    // unreachable database is logged once by the store, not once per turn.
    await this.options.beforeTurn?.().catch((error: unknown) => {
      if (!(error instanceof StoreUnavailableError)) this.options.log.warn({ err: error }, 'could not read the latest state before a turn');
    });
    return super.run(context);
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const value = (context.activity.value ?? {}) as AdaptiveCardInvokeValue;
    const response = await this.onAdaptiveCardInvoke(context, value);
    return { status: response.statusCode, body: response };
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    if (await this.refuseForeignTenant(context, false)) {
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: FOREIGN_TENANT_TEXT as never };
    }
    const ctx = await this.commandContext(context);
    return this.options.cardActions.handle(invokeValue, { ...ctx, turn: context });
  }

  private async commandContext(context: TurnContext): Promise<CommandContext> {
    const target = await this.options.targets.remember(context.activity, this.now());
    return {
      correlationId: randomUUID(),
      target,
      user: { id: context.activity.from?.id ?? '', name: context.activity.from?.name ?? 'someone' },
      now: this.now(),
      activity: context.activity,
    };
  }

  /** Activities from tenants outside the allow-list get a refusal and no data. */
  private async refuseForeignTenant(context: TurnContext, reply = true): Promise<boolean> {
    const allowed = this.options.allowedTenantIds;
    if (allowed.includes('*')) return false;
    const tenant = tenantOf(context.activity);
    if (tenant && allowed.includes(tenant)) return false;
    this.options.log.warn({ tenant, type: context.activity.type }, 'refused activity from a tenant outside the allow-list');
    if (reply && context.activity.type === ActivityTypes.Message) await context.sendActivity(FOREIGN_TENANT_TEXT);
    return true;
  }
}

/**
 * A message carrying `value` with a string `verb` and no text is a card button pressed on a client without
 * Universal Actions: its fallback Action.Submit sends the button's data plus its verb.
 */
function submittedAction(activity: Activity, text: string): AdaptiveCardInvokeValue | null {
  const value = activity.value as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value) || typeof value.verb !== 'string' || text.trim() !== '') return null;
  const { verb, ...data } = value;
  return { action: { type: 'Action.Submit', id: '', verb, data }, trigger: 'manual' } as unknown as AdaptiveCardInvokeValue;
}

async function send(context: TurnContext, replies: Reply[]): Promise<void> {
  for (const reply of replies) {
    if (reply.kind === 'card') {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(reply.card)));
      continue;
    }
    const activity = MessageFactory.text(reply.text);
    activity.entities = (reply.mentions ?? []).map((mention) => ({
      type: 'mention',
      text: `<at>${mention.name}</at>`,
      mentioned: { id: mention.id, name: mention.name },
    }));
    await context.sendActivity(activity);
  }
}
