// Card button clicks (adaptiveCard/action invokes). Every click gets a 200 with a card, never an empty
// answer: Teams shows "Something went wrong" for anything else.
import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue } from 'botbuilder';
import { messageCard } from '../cards.js';
import type { CardActionHandler, CommandContext } from './teamsBot.js';

export function cardResponse(card: object): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as AdaptiveCardInvokeResponse['value'] };
}

export class CardActionRouter implements CardActionHandler {
  async handle(value: AdaptiveCardInvokeValue, _ctx: CommandContext): Promise<AdaptiveCardInvokeResponse> {
    const verb = typeof value?.action?.verb === 'string' ? value.action.verb.slice(0, 40) : '';
    return cardResponse(
      messageCard({
        title: 'Unknown button',
        text: verb ? `I don't know the button “${verb}”. The card may be from an older version of the bot.` : 'That button sent nothing I can use.',
        tryThis: 'help',
        tone: 'warning',
      }),
    );
  }
}
