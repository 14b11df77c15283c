// Pressing card buttons like Teams does: find a button in a card the bot sent, and send its verb and data
// back as an adaptiveCard/action invoke (or, for old clients, as a message with `value`).
import assert from 'node:assert/strict';
import { cardAction, message, sendToBot } from './activities.js';
import { cardOf, cardText, type ConnectorCall } from './fakeConnector.js';
import type { Harness } from './harness.js';

export interface Button {
  title: string;
  verb: string;
  data: Record<string, unknown>;
}

export interface Clicked {
  status: number;
  /** The invoke answer: `{statusCode, type, value}`. */
  body: { statusCode?: number; type?: string; value?: unknown };
  /** The card the answer carries (it replaces the clicked card for the clicker). */
  card: Record<string, unknown>;
  text: string;
}

/** Every Action.Execute in a card: its buttons, row buttons and clickable rows. */
export function buttonsOf(card: unknown): Button[] {
  const found: Button[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const el = node as Record<string, unknown>;
      if (el.type === 'Action.Execute') found.push({ title: String(el.title), verb: String(el.verb), data: el.data as Record<string, unknown> });
      Object.values(el).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** The first button whose title matches (and verb, when given); fails with the titles there are. */
export function buttonIn(card: unknown, title: string | RegExp, verb?: string): Button {
  const all = buttonsOf(card);
  const hit = all.find((b) => (typeof title === 'string' ? b.title === title : title.test(b.title)) && (!verb || b.verb === verb));
  assert.ok(hit, `no button ${String(title)}${verb ? ` (${verb})` : ''} among ${JSON.stringify(all.map((b) => `${b.title} ${b.verb}`))}`);
  return hit;
}

/** Sends the invoke of a button click on the message `replyToId`; the answer must be 200 with a card. */
export async function click(h: Harness, button: Pick<Button, 'verb' | 'data'>, replyToId: string): Promise<Clicked> {
  return clickRaw(h, button.verb, button.data, replyToId);
}

/** Like `click`, with any verb and data, as a forged or stale card could send. */
export async function clickRaw(h: Harness, verb: string, data: unknown, replyToId = 'activity-0'): Promise<Clicked> {
  const { status, body } = await sendToBot(h.app.url, cardAction(verb, data, replyToId, { serviceUrl: h.connector.url }));
  return answerOf(status, body);
}

/** Sends a raw invoke value (e.g. one without `action`) and returns the answer. */
export async function invokeRaw(h: Harness, value: unknown): Promise<Clicked> {
  const activity = { ...cardAction('x', {}, 'activity-0', { serviceUrl: h.connector.url }), value };
  const { status, body } = await sendToBot(h.app.url, activity);
  return answerOf(status, body);
}

function answerOf(status: number, body: unknown): Clicked {
  const answer = (body ?? {}) as Clicked['body'];
  assert.equal(status, 200, `invoke answered ${status}: ${JSON.stringify(body)}`);
  assert.equal(answer.statusCode, 200);
  assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive');
  const card = answer.value as Record<string, unknown>;
  assert.equal(card?.type, 'AdaptiveCard');
  return { status, body: answer, card, text: cardText(card) };
}

/** An older client's click: a message whose `value` is the button's data plus its verb, replying to the card. */
export async function submit(h: Harness, button: Pick<Button, 'verb' | 'data'>, replyToId: string): Promise<ConnectorCall[]> {
  const before = h.connector.calls.length;
  const activity = { ...message('', { serviceUrl: h.connector.url }), text: '', entities: [], replyToId, value: { ...button.data, verb: button.verb } };
  const { status } = await sendToBot(h.app.url, activity);
  assert.equal(status, 200);
  await h.connector.waitFor((calls) => calls.slice(before).some((call) => call.kind === 'post'));
  return h.connector.calls.slice(before);
}

/** Says a command and returns the first card the bot posted in answer, with the id Teams gave it. */
export async function askForCard(h: Harness, text: string): Promise<{ id: string; card: Record<string, unknown>; text: string }> {
  const before = h.connector.calls.length;
  assert.equal(await h.say(text), 200);
  await h.connector.waitFor((calls) => calls.slice(before).some((call) => call.kind === 'post' && cardOf(call)));
  const posted = h.connector.calls.slice(before).find((call) => call.kind === 'post' && cardOf(call));
  assert.ok(posted?.id);
  const card = cardOf(posted) ?? {};
  return { id: posted.id, card, text: cardText(card) };
}

/** The shared-card edits (PUTs) the bot made to message `activityId`. */
export function updatesOf(h: Harness, activityId: string): ConnectorCall[] {
  return h.connector.ok('update').filter((call) => call.activityId === activityId);
}
