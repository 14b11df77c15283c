// Card button clicks (adaptiveCard/action invokes, and Action.Submit messages from older clients). The
// verb picks a handler, the verb's schema checks the data before anything else happens, and every click
// gets a 200 with a card, never an empty answer: Teams shows "Something went wrong" for anything else.
// A click that changed what everyone sees (mute, acknowledge, watch) also replaces the clicked card for all.
import { CardFactory, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue } from 'botbuilder';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { buttons as b, messageCard, type AdaptiveCardJson, type Verb } from '../cards.js';
import { ACTION_SCHEMAS, isVerb, type ActionData } from './actionSchemas.js';
import { customerActions } from './actions/customerActions.js';
import { incidentActions } from './actions/incidentActions.js';
import { ActionProblem, personal, type ActionContext, type ActionResult, type ActionRoute, type ActionRoutes } from './actions/kit.js';
import { listActions } from './actions/listActions.js';
import { orderActions } from './actions/orderActions.js';
import { subscriptionActions } from './actions/subscriptionActions.js';
import { ticketActions } from './actions/ticketActions.js';
import { accessActions } from './actions/accessActions.js';
import { watchActions } from './actions/watchActions.js';
import { describeFailure } from './failureText.js';
import type { BotServices } from './services.js';
import type { CardActionHandler } from './teamsBot.js';

export function cardResponse(card: object): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as AdaptiveCardInvokeResponse['value'] };
}

const ROUTES: ActionRoutes<Verb> = { ...incidentActions, ...customerActions, ...listActions, ...orderActions, ...watchActions, ...subscriptionActions, ...accessActions, ...ticketActions };

export class CardActionRouter implements CardActionHandler {
  constructor(private readonly services: BotServices) {}

  async handle(value: AdaptiveCardInvokeValue, ctx: ActionContext): Promise<AdaptiveCardInvokeResponse> {
    const { verb, data } = readAction(value);
    const log = this.services.log.child({ correlationId: ctx.correlationId, verb: verb.slice(0, 40) });
    const result = isVerb(verb) ? await this.dispatch(verb, data, ctx, log) : personal(unknownButtonCard(verb, log));
    if (result.shared) await updateForEveryone(ctx, result.card, log);
    return cardResponse(result.card);
  }

  private async dispatch<V extends Verb>(verb: V, raw: unknown, ctx: ActionContext, log: Logger): Promise<ActionResult> {
    const schema: z.ZodType = ACTION_SCHEMAS[verb];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      // Which fields failed helps to find an old card or a forgery; the values themselves are not logged.
      log.warn({ issues: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(data)'}: ${issue.code}`) }, 'card action data refused');
      return personal(invalidDataCard());
    }
    const route = ROUTES[verb] as ActionRoute<V>;
    const data = parsed.data as ActionData<V>;
    try {
      const result = await route.run(this.services, data, ctx);
      log.info({ shared: result.shared }, 'card action answered');
      return result;
    } catch (error) {
      if (error instanceof ActionProblem) {
        log.info({ problem: error.title }, 'card action out of date');
        return personal(messageCard({ title: error.title, text: error.text, tone: 'error', buttons: error.buttons }));
      }
      log.warn({ err: error }, 'card action failed');
      const orderId = 'orderId' in data ? String(data.orderId) : undefined;
      const failure = describeFailure(error, { doing: route.doing(data), orderId, correlationId: ctx.correlationId });
      // The same click again is the natural next step after a Partner Center hiccup.
      const again = { title: 'Refresh', verb, data: data as Record<string, unknown> };
      return personal(messageCard({ title: failure.title, text: failure.text, tone: 'error', buttons: [again, b.help()] }));
    }
  }
}

/** Verb and data of an invoke, whatever shape it arrived in: the schemas judge the data, not this. */
function readAction(value: unknown): { verb: string; data: unknown } {
  const action = (value as { action?: { verb?: unknown; data?: unknown } } | null | undefined)?.action;
  return { verb: typeof action?.verb === 'string' ? action.verb : '', data: action?.data ?? {} };
}

function unknownButtonCard(verb: string, log: Logger): AdaptiveCardJson {
  log.warn('card action with an unknown verb');
  return messageCard({
    title: 'Unknown button',
    text: verb ? `I don't know the button “${verb.slice(0, 40)}”. The card may be from an older version of the bot.` : 'That button sent nothing I can use.',
    tone: 'error',
    buttons: [b.help()],
  });
}

function invalidDataCard(): AdaptiveCardJson {
  return messageCard({
    title: 'That button did not work',
    text: 'The button sent data I cannot use, so I did nothing. The card may be from an older version of the bot, or it was changed on the way. Start again from a fresh card:',
    tone: 'error',
    buttons: [b.customers('', 1), b.help()],
  });
}

/** Inside an invoke the clicked card's own message id is `replyToId`; an older client may not send one. */
async function updateForEveryone(ctx: ActionContext, card: AdaptiveCardJson, log: Logger): Promise<void> {
  const id = ctx.activity.replyToId;
  if (!id) return;
  try {
    await ctx.turn.updateActivity({ type: 'message', id, attachments: [CardFactory.adaptiveCard(card)] });
  } catch (error) {
    // The change is stored and the clicker sees it; the others see it at the card's next edit.
    log.warn({ err: error }, 'could not update the clicked card for everyone');
  }
}
