// A typed client for driving Microsoft 365 Agents Playground (see src/sandbox/playground.ts) from tests:
// the user side of Teams (install, send, click a card button, lifecycle events) over its HTTP API, and a
// collector of everything the bot sends, streamed over its WebSocket.
//
// Facts about the Playground this relies on (version 0.2.28, built-in config):
// - Conversations: a personal chat and a group chat with random UUID ids (read them with conversations()),
//   the team `team-id` whose General channel has the id `team-id`, and the channel `channel-announcements-id`.
// - A user message in a channel creates a thread: the bot receives conversation.id
//   `<channelId>;messageid=<messageId>`, and its replies stream with that id as actionConversationId.
// - The bot only receives channel and group chat messages that mention it
//   (`{mentioned:{id:<bot id>}, text:'<at>Test Bot</at>'}`); the Playground answers 200 either way.
// - The conversation WebSocket buffers what the bot sends while no client is connected and replays it to
//   the first client that connects; every connected client receives every later item.

import WebSocket from 'ws';

/** Ids and names of the Playground's built-in configuration. */
export const PLAYGROUND = {
  tenantId: '00000000-0000-0000-0000-0000000000001',
  botId: '00000000-0000-0000-0000-00000000000011',
  botName: 'Test Bot',
  /** The signed-in user (Alex Wilber); member of every conversation. */
  userId: 'user-id-0',
  /** Other members: user-id-1 … user-id-5. */
  otherUserIds: ['user-id-1', 'user-id-2', 'user-id-3', 'user-id-4', 'user-id-5'],
  teamId: 'team-id',
  /** The General channel's conversation id equals the team id. */
  generalChannelId: 'team-id',
  announcementsChannelId: 'channel-announcements-id',
} as const;

export type LifecycleType =
  | 'install'
  | 'uninstall'
  | 'userAdded'
  | 'userRemoved'
  | 'botAdded'
  | 'botRemoved'
  | 'channelCreated'
  | 'channelRenamed'
  | 'channelDeleted'
  | 'teamRenamed'
  | 'teamDeleted';

export interface PlaygroundConversations {
  personalChatId: string;
  groupChatId: string;
  teamId: string;
  /** Every channel of the team, General (id = team id) first. */
  channels: { id: string; name: string }[];
  botId: string;
  botName: string;
  tenantId: string;
  currentUserId: string;
}

export interface SendMessageOptions {
  /**
   * Prefix the text with `<at>Test Bot</at> ` and add the mention. Default: true in channels, threads and
   * group chats (where the bot sees nothing else), false in the personal chat.
   */
  mentionBot?: boolean;
  /** Sender; must be a member of the conversation. Default `user-id-0`. */
  fromId?: string;
  textFormat?: 'plain' | 'markdown' | 'xml';
}

export interface SendMessageResult {
  messageId: string;
  /** Set for a message to a channel: the thread it started, `<channelId>;messageid=<messageId>`. */
  postConversationId?: string;
  timestamp: number;
}

/** What POST /_conversation/v1/invoke answers for `adaptiveCard/action`: the bot's invoke response body. */
export interface InvokeResult {
  type?: string;
  value?: unknown;
}

export interface StreamedAttachment {
  contentType: string;
  content: unknown;
}

export interface StreamedMessage {
  messageId: string;
  timestamp: number;
  from: { id: string };
  text?: string;
  textFormat?: string;
  attachments: StreamedAttachment[];
  attachmentLayout?: string;
  mentions: unknown[];
  /** The conversation id the bot addressed (what it had in its conversation reference). */
  directLineConversationId?: string;
  /** Only on createMessage of a new top-level channel post: the thread it opened. */
  postConversationId?: string;
  [key: string]: unknown;
}

export type StreamItem =
  | { action: 'createMessage' | 'updateMessage'; actionConversationId: string; message: StreamedMessage }
  | { action: 'typing'; actionConversationId: string };

export type MessageItem = Extract<StreamItem, { message: StreamedMessage }>;

export class PlaygroundHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.name = 'PlaygroundHttpError';
  }

  /** The Playground's error code (`ConversationNotFound`, `UserBotError`, ...), when it sent one. */
  get code(): string | undefined {
    const body = this.body as { code?: unknown; error?: { code?: unknown } } | null;
    const code = body?.code ?? body?.error?.code;
    return typeof code === 'string' ? code : undefined;
  }
}

/** True for a streamed item that carries a message (createMessage / updateMessage). */
export function isMessageItem(item: StreamItem): item is MessageItem {
  return item.action === 'createMessage' || item.action === 'updateMessage';
}

/**
 * The conversation a streamed bot message is stored in, i.e. the `conversation.id` that
 * invoke() needs for a card in it: the new thread for a top-level channel post, else actionConversationId.
 */
export function messageConversationId(item: MessageItem): string {
  return item.message.postConversationId ?? item.actionConversationId;
}

/** Text of all TextBlocks of the first Adaptive Card of a streamed message (for assertions). */
export function cardText(item: MessageItem): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'TextBlock' && typeof record.text === 'string') texts.push(record.text);
      for (const value of Object.values(record)) if (value && typeof value === 'object') walk(value);
    }
  };
  walk(item.message.attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content);
  return texts.join('\n');
}

/** Collects what the Playground streams on `/_ws_conversation/v1/conversations/stream`. */
export class PlaygroundStream {
  private readonly received: StreamItem[] = [];
  private readonly waiters = new Set<{ predicate: (item: StreamItem) => boolean; resolve: (item: StreamItem) => void }>();
  private closed = false;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: unknown) => {
      let item: StreamItem;
      try {
        item = JSON.parse(dataToString(data)) as StreamItem;
      } catch {
        return;
      }
      this.received.push(item);
      for (const waiter of [...this.waiters]) {
        if (safeMatch(waiter.predicate, item)) {
          this.waiters.delete(waiter);
          waiter.resolve(item);
        }
      }
    });
    socket.on('error', () => undefined); // a close follows; waiters time out with the history
  }

  static open(baseUrl: string, timeoutMs = 10_000): Promise<PlaygroundStream> {
    const wsUrl = `${baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/_ws_conversation/v1/conversations/stream`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl);
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`WebSocket ${wsUrl} did not open within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new PlaygroundStream(socket));
      });
      socket.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(new Error(`WebSocket ${wsUrl} failed: ${error.message}`));
      });
    });
  }

  /** Everything received so far, oldest first. */
  get items(): readonly StreamItem[] {
    return this.received;
  }

  /** Forget what was received so far (later waitFor calls only see newer items). */
  clear(): void {
    this.received.length = 0;
  }

  /**
   * The first item, already received or arriving within `timeoutMs`, that matches `predicate`.
   * Rejects on timeout with a summary of what did arrive.
   */
  waitFor<T extends StreamItem = StreamItem>(
    predicate: ((item: StreamItem) => item is T) | ((item: StreamItem) => boolean),
    timeoutMs = 10_000,
  ): Promise<T> {
    const existing = this.received.find((item) => safeMatch(predicate, item));
    if (existing) return Promise.resolve(existing as T);
    if (this.closed) return Promise.reject(new Error('PlaygroundStream is closed'));
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: StreamItem) => {
          clearTimeout(timer);
          resolve(item as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching streamed item within ${timeoutMs} ms; received:\n${this.describe()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** A message the bot created whose text contains `text` (or any message in `conversationId`). */
  waitForMessage(
    match: { text?: string | RegExp; conversationId?: string; action?: MessageItem['action'] },
    timeoutMs = 10_000,
  ): Promise<MessageItem> {
    return this.waitFor((item): item is MessageItem => {
      if (!isMessageItem(item)) return false;
      if (item.action !== (match.action ?? 'createMessage')) return false;
      if (match.conversationId !== undefined && item.actionConversationId !== match.conversationId) return false;
      if (match.text !== undefined) {
        const text = item.message.text ?? '';
        return typeof match.text === 'string' ? text.includes(match.text) : match.text.test(text);
      }
      return true;
    }, timeoutMs);
  }

  describe(): string {
    if (this.received.length === 0) return '  (nothing)';
    return this.received
      .map((item) => {
        if (!isMessageItem(item)) return `  ${item.action} ${item.actionConversationId}`;
        const body = item.message.text ?? item.message.attachments.map((a) => a.contentType).join(',');
        return `  ${item.action} ${item.actionConversationId} #${item.message.messageId}: ${body.slice(0, 200)}`;
      })
      .join('\n');
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 2_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close();
    });
  }
}

/** The user side of the Playground, plus the stream of what the bot sends. */
export class PlaygroundClient {
  private config: PlaygroundConversations | undefined;

  private constructor(
    readonly baseUrl: string,
    readonly stream: PlaygroundStream,
  ) {}

  /** Opens the WebSocket first, so nothing the bot sends afterwards is missed. */
  static async connect(baseUrl: string): Promise<PlaygroundClient> {
    const url = baseUrl.replace(/\/$/, '');
    return new PlaygroundClient(url, await PlaygroundStream.open(url));
  }

  /** Ids of the conversations that exist (from `GET /_internal/v1/testConfig`). */
  async conversations(): Promise<PlaygroundConversations> {
    if (this.config) return this.config;
    const body = (await this.request('GET', '/_internal/v1/testConfig')) as TestConfigResponse;
    const config = body.config;
    const team = config.teams[0];
    const groupChat = config.groupChats[0];
    if (!team || !groupChat) throw new Error('Playground config has no team or no group chat');
    this.config = {
      personalChatId: config.personalChat.id,
      groupChatId: groupChat.id,
      teamId: team.id,
      channels: team.channels.map((c) => ({ id: c.id, name: c.name })),
      botId: config.bot.id,
      botName: config.bot.name,
      tenantId: config.tenantId,
      currentUserId: config.currentUser.id,
    };
    return this.config;
  }

  /**
   * Installs the bot (`POST /_debug/conversation/{id}/installation`): the bot receives an
   * `installationUpdate` (action add) and a `conversationUpdate` (membersAdded: the bot) for that
   * conversation. For a team pass `team-id` (General) or a channel id (becomes settings.selectedChannel).
   */
  async install(conversationId: string): Promise<void> {
    await this.request('POST', `/_debug/conversation/${encodeURIComponent(conversationId)}/installation`, {});
  }

  /**
   * A user message (`POST /_conversation/v1/conversations/{id}/messages`). The Playground answers before
   * it forwards the message to the bot; watch the stream (or the bot) for the outcome.
   */
  async sendMessage(conversationId: string, text: string, options: SendMessageOptions = {}): Promise<SendMessageResult> {
    const conversations = await this.conversations();
    const mentionBot = options.mentionBot ?? conversationId.split(';')[0] !== conversations.personalChatId;
    const at = `<at>${conversations.botName}</at>`;
    const body = {
      from: { id: options.fromId ?? conversations.currentUserId },
      text: mentionBot ? `${at} ${text}` : text,
      textFormat: options.textFormat ?? 'plain',
      ...(mentionBot ? { mentions: [{ mentioned: { id: conversations.botId }, text: at }] } : {}),
    };
    return (await this.request(
      'POST',
      `/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
      body,
    )) as SendMessageResult;
  }

  /**
   * Clicks an `Action.Execute` button (`POST /_conversation/v1/invoke`, name `adaptiveCard/action`).
   * `conversationId` is the conversation the card message is stored in (see messageConversationId()),
   * `replyToId` the card message's id. Resolves with the bot's invoke response `{type, value}`; a bot
   * that fails or gives no invoke response makes it reject with status 502, code `UserBotError`.
   */
  async invoke(
    conversationId: string,
    value: { action: { type?: string; verb: string; data?: unknown }; trigger?: string } | Record<string, unknown>,
    replyToId: string,
    options: { fromId?: string } = {},
  ): Promise<InvokeResult> {
    const conversations = await this.conversations();
    const action = (value as { action?: Record<string, unknown> }).action;
    const normalized = action ? { ...value, action: { type: 'Action.Execute', ...action } } : value;
    return (await this.request('POST', '/_conversation/v1/invoke', {
      name: 'adaptiveCard/action',
      value: { trigger: 'manual', ...normalized },
      from: { id: options.fromId ?? conversations.currentUserId },
      conversation: { id: conversationId },
      replyToId,
    })) as InvokeResult;
  }

  /**
   * Sends a lifecycle event: `GET /_internal/v1/customActivities/template?conversationId&type` builds the
   * activity the way Teams would, `POST /_internal/v1/customActivities` delivers it to the bot.
   * `uninstall`/`botRemoved`/`team*` on a channel act on the whole team; `team*`/`channel*` need a channel.
   * Returns the activity sent.
   */
  async lifecycle(
    conversationId: string,
    type: LifecycleType,
    overrides: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const query = new URLSearchParams({ conversationId, type });
    const template = (await this.request('GET', `/_internal/v1/customActivities/template?${query}`)) as Record<
      string,
      unknown
    >;
    const activity = { ...template, ...overrides };
    await this.request('POST', '/_internal/v1/customActivities', activity);
    return activity;
  }

  waitFor<T extends StreamItem = StreamItem>(
    predicate: ((item: StreamItem) => item is T) | ((item: StreamItem) => boolean),
    timeoutMs?: number,
  ): Promise<T> {
    return this.stream.waitFor<T>(predicate, timeoutMs);
  }

  close(): Promise<void> {
    return this.stream.close();
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // plain text or an HTML error page
      }
    }
    if (!response.ok) throw new PlaygroundHttpError(method, path, response.status, parsed);
    return text ? parsed : undefined;
  }
}

interface TestConfigResponse {
  config: {
    tenantId: string;
    bot: { id: string; name: string };
    currentUser: { id: string };
    personalChat: { id: string };
    groupChats: { id: string; name: string }[];
    teams: { id: string; name: string; channels: { id: string; name: string }[] }[];
  };
}

function safeMatch(predicate: (item: StreamItem) => boolean, item: StreamItem): boolean {
  try {
    return predicate(item);
  } catch {
    return false;
  }
}

function dataToString(data: unknown): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return String(data);
}
