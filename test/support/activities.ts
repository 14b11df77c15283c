// Teams-shaped activities, as the Bot Connector delivers them to POST /api/messages.
import { randomUUID } from 'node:crypto';

export const TENANT = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
export const FOREIGN_TENANT = '99999999-9999-4999-8999-999999999999';
export const BOT = { id: '28:partner-alerts-bot', name: 'Partner Alerts' };
export const TEAM_ID = '19:team-general@thread.tacv2';
export const CHANNEL_ID = '19:incidents-channel@thread.tacv2';
export const USER = { id: '29:ana', name: 'Ana Bowman', aadObjectId: '6b1f0a1a-0000-4000-8000-000000000001' };

export interface ActivityOptions {
  serviceUrl: string;
  tenantId?: string;
  conversation?: 'channel' | 'personal' | 'groupChat';
  channelId?: string;
}

function base(options: ActivityOptions) {
  const tenantId = options.tenantId ?? TENANT;
  const kind = options.conversation ?? 'channel';
  const channelId = options.channelId ?? CHANNEL_ID;
  const conversation =
    kind === 'channel'
      ? { id: `${channelId};messageid=${Date.now()}`, conversationType: 'channel', isGroup: true, tenantId }
      : kind === 'groupChat'
        ? { id: '19:group-chat@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId }
        : { id: 'a:personal-chat-with-ana', conversationType: 'personal', tenantId };
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    timestamp: new Date().toISOString(),
    from: USER,
    recipient: BOT,
    conversation,
    locale: 'en-US',
    channelData: {
      tenant: { id: tenantId },
      ...(kind === 'channel' ? { team: { id: TEAM_ID, name: 'Support' }, channel: { id: channelId, name: 'Incidents' } } : {}),
    },
  };
}

/** A message; in a channel it @mentions the bot as Teams requires. */
export function message(text: string, options: ActivityOptions): Record<string, unknown> {
  const activity = base(options);
  if ((options.conversation ?? 'channel') === 'personal') return { ...activity, type: 'message', text };
  const mentionText = `<at>${BOT.name}</at>`;
  return {
    ...activity,
    type: 'message',
    text: `${mentionText} ${text}`,
    entities: [{ type: 'mention', text: mentionText, mentioned: BOT }],
  };
}

export function installationUpdate(action: 'add' | 'remove', options: ActivityOptions): Record<string, unknown> {
  const activity = base(options);
  return { ...activity, type: 'installationUpdate', action, conversation: { ...activity.conversation, id: (activity.conversation.id.split(';')[0] ?? '') } };
}

export function cardAction(verb: string, data: unknown, replyToId: string, options: ActivityOptions): Record<string, unknown> {
  return {
    ...base(options),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

/** POST an activity to the bot like the Bot Connector does; returns status and body. */
export async function sendToBot(botUrl: string, activity: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}
