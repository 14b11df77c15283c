// Proactive messages to Teams through the Bot Framework: post a card, edit it, reply in its thread.
// Connector failures become a SendFailure whose `kind` tells the delivery stage what to do next.
import { CardFactory, MessageFactory, type CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import type { StoredReference, Target } from '../store/state.js';
import type { TeamsRateLimiter } from './teamsRateLimiter.js';

export interface ConversationSender {
  /** Posts a card as a new message; returns its activity id. */
  post(target: Target, card: object): Promise<string>;
  update(target: Target, activityId: string, card: object): Promise<void>;
  /** In a channel, a reply in the thread of `rootActivityId`; elsewhere a plain message. */
  reply(target: Target, rootActivityId: string, text: string): Promise<void>;
  /** A plain text message of its own. */
  say(target: Target, text: string): Promise<void>;
}

/**
 * - gone: the conversation no longer exists or the bot is no longer in it: stop sending there;
 * - tooBig: the payload is over Teams' size limit: send something smaller, never the same again;
 * - transient: 412/429/5xx/network: retry later, after `retryAfterMs` when Teams said so;
 * - cardGone: the message being edited was deleted, but the conversation is fine: post a new one;
 * - other: a bug or an unexpected answer: keep for a later retry, but log loudly.
 */
export type SendFailureKind = 'gone' | 'tooBig' | 'transient' | 'cardGone' | 'other';

export class SendFailure extends Error {
  constructor(
    readonly kind: SendFailureKind,
    readonly status: number | null,
    readonly code: string | null,
    readonly retryAfterMs: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'SendFailure';
  }
}

const GONE_CODES = new Set(['BotNotInConversationRoster', 'ConversationBlockedByUser', 'BotDisabledByAdmin', 'ConversationNotFound']);
const TRANSIENT_STATUSES = new Set([408, 412, 429, 500, 502, 503, 504]);

export function classifySendError(error: unknown): SendFailure {
  if (error instanceof SendFailure) return error;
  const err = (error ?? {}) as {
    statusCode?: number;
    status?: number;
    code?: string;
    message?: string;
    body?: unknown;
    response?: { status?: number; bodyAsText?: string; headers?: { get?: (name: string) => string | undefined | null } };
  };
  const status = err.statusCode ?? err.status ?? err.response?.status ?? null;
  const code = connectorErrorCode(err.body) ?? connectorErrorCode(safeParse(err.response?.bodyAsText)) ?? (typeof err.code === 'string' ? err.code : null);
  const retryAfter = Number(err.response?.headers?.get?.('retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null;
  const message = `Teams answered ${status ?? 'without a status'}${code ? ` (${code})` : ''}`;
  if (status === 404 && code === 'ActivityNotFound') return new SendFailure('cardGone', status, code, null, message);
  if ((status === 403 || status === 404) && (code === null || GONE_CODES.has(code) || status === 404)) {
    return new SendFailure('gone', status, code, null, message);
  }
  if (status === 413) return new SendFailure('tooBig', status, code, null, message);
  if (status === null || TRANSIENT_STATUSES.has(status)) return new SendFailure('transient', status, code, retryAfterMs, `${message}: ${err.message ?? ''}`);
  return new SendFailure('other', status, code, null, `${message}: ${err.message ?? ''}`);
}

function connectorErrorCode(body: unknown): string | null {
  const code = (body as { error?: { code?: unknown } } | null | undefined)?.error?.code;
  return typeof code === 'string' ? code : null;
}

function safeParse(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export class BotFrameworkSender implements ConversationSender {
  constructor(
    private readonly adapter: CloudAdapter,
    /** The bot's app id ('' without Bot Framework auth, as in the sandbox). */
    private readonly appId: string,
    private readonly limiter: TeamsRateLimiter,
    /** Hears each 429 Teams answers (the metrics count them). */
    private readonly onThrottled: () => void = () => undefined,
  ) {}

  async post(target: Target, card: object): Promise<string> {
    let id = '';
    await this.withConversation(target, target.reference, async (turn) => {
      const response = await turn.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      id = response?.id ?? '';
    });
    if (!id) throw new SendFailure('other', null, null, null, 'Teams accepted the card but returned no activity id');
    return id;
  }

  async update(target: Target, activityId: string, card: object): Promise<void> {
    await this.withConversation(target, target.reference, async (turn) => {
      const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
      activity.id = activityId;
      await turn.updateActivity(activity);
    });
  }

  async reply(target: Target, rootActivityId: string, text: string): Promise<void> {
    // A channel reply goes to "<channel>;messageid=<root>"; replyToId alone would start a new thread.
    const reference: StoredReference =
      target.kind === 'channel'
        ? { ...target.reference, conversation: { ...target.reference.conversation, id: `${target.key};messageid=${rootActivityId}` } }
        : target.reference;
    await this.withConversation(target, reference, async (turn) => {
      await turn.sendActivity(MessageFactory.text(text));
    });
  }

  async say(target: Target, text: string): Promise<void> {
    await this.withConversation(target, target.reference, async (turn) => {
      await turn.sendActivity(MessageFactory.text(text));
    });
  }

  private async withConversation(
    target: Target,
    reference: StoredReference,
    logic: (turn: TurnContext) => Promise<void>,
  ): Promise<void> {
    await this.limiter.acquire(target.key);
    // The adapter's onTurnError swallows what the logic throws and the call then resolves as if the send
    // worked: keep the connector's answer here, so a 403 or 413 reaches the delivery stage.
    const outcome: { failed: boolean; error?: unknown } = { failed: false };
    try {
      await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (turn) => {
        withoutSdkRetries(turn);
        try {
          await logic(turn);
        } catch (error) {
          Object.assign(outcome, { failed: true, error });
        }
      });
    } catch (error) {
      throw this.heard(classifySendError(error));
    }
    if (outcome.failed) throw this.heard(classifySendError(outcome.error));
  }

  private heard(failure: SendFailure): SendFailure {
    if (failure.status === 429) this.onThrottled();
    return failure;
  }
}

/**
 * botbuilder's HTTP pipeline retries 429 and 5xx by itself (3 times, sleeping in real time), unseen by the
 * rate limiter and the injected clock, and multiplied by the delivery stage's own retries. The delivery
 * stage owns retrying, so each proactive turn's connector client goes without the SDK's retry policy.
 */
function withoutSdkRetries(turn: TurnContext): void {
  const connector = turn.turnState.get(turn.adapter.ConnectorClientKey) as
    | { client?: { pipeline?: { removePolicy(options: { name: string }): unknown } } }
    | undefined;
  connector?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}
