// What every card-action handler shares: its context, its result, the way it reports a stale or foreign
// payload, the check that a customer id from a card is one of the partner's customers, and the change of an
// alert's thread (acknowledge, mute, unmute) in the clicked card's conversation.
import type { TurnContext } from 'botbuilder';
import { buttons as b, type AdaptiveCardJson, type CardButton, type Verb } from '../../cards.js';
import type { Customer } from '../../domain/types.js';
import type { State } from '../../store/state.js';
import type { ThreadField } from '../../store/pagedThreads.js';
import type { ActionData } from '../actionSchemas.js';
import type { BotServices } from '../services.js';
import type { CommandContext } from '../teamsBot.js';

export interface ActionContext extends CommandContext {
  turn: TurnContext;
}

export interface ActionResult {
  card: AdaptiveCardJson;
  /**
   * The click changed something everyone in the conversation sees (mute, acknowledgement, watch): the
   * clicked card is then replaced for everyone, not only for the person who clicked.
   */
  shared: boolean;
}

/** A drill-down: the new card replaces the clicked one for the person who clicked. */
export const personal = (card: AdaptiveCardJson): ActionResult => ({ card, shared: false });
/** A change of shared state: the new card replaces the clicked one for everyone. */
export const shared = (card: AdaptiveCardJson): ActionResult => ({ card, shared: true });

export interface ActionRoute<V extends Verb> {
  run(services: BotServices, data: ActionData<V>, ctx: ActionContext): Promise<ActionResult>;
  /** For failure sentences: "Partner Center failed while reading the incidents of Contoso". */
  doing(data: ActionData<V>): string;
}

export type ActionRoutes<V extends Verb> = { [K in V]: ActionRoute<K> };

/**
 * The button's data is well formed but no longer fits the world (an incident gone, a customer the partner
 * does not have, an alert forgotten). Shown as a notice with buttons to carry on, never as a crash.
 */
export class ActionProblem extends Error {
  constructor(
    readonly title: string,
    readonly text: string,
    readonly buttons: CardButton[],
  ) {
    super(text);
    this.name = 'ActionProblem';
  }
}

/**
 * The customer behind a customer id from a card, if it is one of the partner's customers. The directory
 * answers from memory once warm, so a forged id costs no Partner Center request for its sub-resources.
 */
export async function requireCustomer(services: BotServices, customerId: string, correlationId: string): Promise<Customer> {
  const known = await services.directory.lookup({ correlationId }, customerId);
  if (known) return known;
  throw new ActionProblem(
    'Customer not found',
    'That button points at a customer that is not among your Partner Center customers (any more). The card may be out of date; look the customer up again.',
    [b.customers('', 1), b.help()],
  );
}

/** A display name from Teams is stored on the thread and shown on the card; no reason to keep a novel. */
export const MAX_USER_NAME = 120;

/** Who clicked, as an alert's thread keeps it ("Acknowledged by …", "Muted by …"). */
export function userName(ctx: ActionContext): string {
  return ctx.user.name.slice(0, MAX_USER_NAME);
}

/**
 * One alert's thread in the clicked card's conversation: an incident's or a subscription episode's. The key
 * includes the conversation, so a click can only ever reach the alerts of its own conversation.
 */
export interface AlertThreadRef<Thread> {
  /** The state's record of such threads (`threads`, `subscriptionThreads`), and its field (paged: read by key). */
  threads(state: Readonly<State>): Record<string, Thread>;
  field: ThreadField;
  key: string;
  /** The alert card of the thread, as everyone in the conversation sees it. */
  card(thread: Thread, now: Date): AdaptiveCardJson;
  /** The notice when the conversation no longer keeps the thread. */
  forgotten(): ActionProblem;
}

/** The stored thread, or the "no longer tracked" notice. Card threads are paged: read by key, for this click. */
export async function storedThread<Thread>(services: BotServices, ref: AlertThreadRef<Thread>): Promise<Thread> {
  const thread = ref.threads(await services.store.view({ [ref.field]: [ref.key] }))[ref.key];
  if (!thread) throw ref.forgotten();
  return thread;
}

/** Change the alert's thread and render its card again, for everyone in the conversation. */
export async function changeThread<Thread>(
  services: BotServices,
  ctx: ActionContext,
  ref: AlertThreadRef<Thread>,
  change: (thread: Thread) => void,
): Promise<ActionResult> {
  await storedThread(services, ref);
  await services.store.update((state) => {
    const thread = ref.threads(state)[ref.key];
    if (thread) change(thread);
    // A click changes the card's head (mute, acknowledgement): none of its customers is read for it.
  }, { load: { [ref.field]: { keys: [ref.key], only: [] } } });
  return shared(ref.card(await storedThread(services, ref), ctx.now));
}

/** An alert this conversation no longer keeps: `what` is "the alert for incident EX123", `after` when alerts are forgotten. */
export function forgottenAlert(what: string, after: string, buttons: CardButton[]): ActionProblem {
  return new ActionProblem(
    'Alert no longer tracked',
    `I no longer keep ${what} in this conversation (alerts are forgotten a while after ${after}), so there is nothing to show or change.`,
    buttons,
  );
}
