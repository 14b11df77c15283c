// Digest and quiet hours end to end over real HTTP (simulator, app, lowdb file, fake Bot Connector): "digest
// now", settings that survive a restart and show under "watches", a digest missed while the bot was down,
// and quiet hours that hold alerts, let a critical one through and sum up once at their end.
import assert from 'node:assert/strict';
import { CONTOSO_ORDERS } from '../../src/sandbox/simCommerce.js';
import { CHANNEL_ID } from '../support/activities.js';
import { cardOf, cardText, type ConnectorCall } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { addIncident, cardProblems, incidentCards, install, OTHER_CHANNEL_ID, repliesText, stateOnDisk, watch } from '../support/alertSteps.js';

/** Says something in the incidents channel and returns what the bot answered (the calls it made meanwhile). */
async function ask(h: Harness, text: string, channelId = CHANNEL_ID): Promise<ConnectorCall[]> {
  const before = h.connector.calls.length;
  assert.equal(await h.say(text, { channelId }), 200);
  return h.connector.calls.slice(before).filter((call) => call.conversationId.startsWith(channelId));
}

const texts = (calls: ConnectorCall[]) => calls.map((call) => String(call.activity.text ?? '')).filter(Boolean);
const firstCard = (calls: ConnectorCall[]) => cardOf(calls.find((call) => cardOf(call)));

/** The verbs of every clickable row of a card. */
function rowVerbs(card: unknown): string[] {
  const verbs: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      const select = record.selectAction as { verb?: string } | undefined;
      if (select?.verb) verbs.push(select.verb);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return verbs;
}

/** Summary cards (digests and quiet summaries) posted to the channel. */
function summaryCards(h: Harness, title: RegExp): ConnectorCall[] {
  return h.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && title.test(cardText(cardOf(call))));
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** A daily digest two hours ago, as if set up yesterday and the bot had been down at its time today: it is due. */
async function digestDueToday(t: Harness): Promise<void> {
  await ask(t, `digest daily ${hhmm(Date.now() - 2 * 3_600_000)} UTC`);
  await t.app.store.update((state) => {
    const digest = state.targets[CHANNEL_ID]?.schedule?.digest;
    if (digest) digest.setAt = new Date(Date.now() - 2 * 86_400_000).toISOString();
  });
}

describe('digest and quiet hours, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('"digest now" answers with one card of incidents, orders still provisioning and unchecked customers, from the state alone', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    await watch(t, `watch order ${CONTOSO_ORDERS.pending} for contoso`);
    await t.app.engine.sweepNow();
    const { incidentId } = t.sim.scenario.step();
    await t.app.engine.sweepNow();
    assert.equal(incidentCards(t, incidentId).length, 1);

    const requests = t.sim.requests.length;
    const card = firstCard(await ask(t, 'digest now'));
    assert.equal(t.sim.requests.length, requests, 'no Partner Center request');
    assert.deepEqual(cardProblems(card), []);
    const text = cardText(card);
    assert.match(text, /Digest for/);
    assert.match(text, /Active incidents/);
    assert.ok(text.includes(incidentId), text);
    assert.match(text, /Contoso/);
    assert.match(text, /Orders still provisioning \(1\)/);
    assert.ok(text.includes(CONTOSO_ORDERS.pending));
    const verbs = rowVerbs(card);
    assert.ok(verbs.includes('incident.history') && verbs.includes('order.provisioning'), verbs.join());

    // A conversation with nothing to report gets one line, not silence.
    const other = firstCard(await ask(t, 'digest now', OTHER_CHANNEL_ID));
    assert.match(cardText(other), /^Digest for .*: nothing to report\./);
    assert.equal((other?.body as unknown[]).length, 1);
  });

  it('"digest now" has a section of the subscriptions needing attention under "watch subscriptions all"', async () => {
    const t = (h = await startHarness({ config: { subscriptionPollMinutes: 0 } }));
    await install(t);
    await watch(t, 'watch subscriptions all');
    await t.app.engine.sweepNow();
    t.sim.scenario.step(); // Fabrikam's Business Premium is suspended
    await t.app.engine.sweepNow();

    const card = firstCard(await ask(t, 'digest now'));
    assert.deepEqual(cardProblems(card), []);
    const text = cardText(card);
    assert.match(text, /Subscriptions needing attention \(\d+\)/);
    assert.match(text, /Suspended\nMicrosoft 365 Business Premium · Fabrikam/);
    assert.ok(rowVerbs(card).includes('customer.subscriptions'), rowVerbs(card).join());
    // Incidents only: no subscription section.
    await watch(t, 'watch contoso', OTHER_CHANNEL_ID);
    assert.doesNotMatch(cardText(firstCard(await ask(t, 'digest now', OTHER_CHANNEL_ID))), /Subscriptions needing attention/);
  });

  it('a scheduled digest under "watch subscriptions all" names its customers after a restart, when nothing has asked for their names yet', async () => {
    const t = (h = await startHarness({ config: { subscriptionPollMinutes: 0 } }));
    await install(t);
    await watch(t, 'watch subscriptions all');
    await t.app.engine.sweepNow();
    t.sim.scenario.step(); // Fabrikam's Business Premium is suspended
    await t.app.engine.sweepNow();
    await digestDueToday(t);

    const app = await t.restart();
    assert.equal((await app.engine.schedules.tick()).digests.length, 1);
    await app.delivery.deliverPending();
    const [digest] = summaryCards(t, /Digest for/);
    const text = cardText(cardOf(digest));
    assert.match(text, /Suspended\nMicrosoft 365 Business Premium · Fabrikam/);
    // Subscriptions suspended before the watch have no card to take a name from: the directory names them too.
    assert.match(text, /Subscriptions needing attention \((\d{2,})\)/);
    assert.doesNotMatch(text, / · [0-9a-f]{8}-[0-9a-f]{4}-/, 'a customer shown by its tenant id');
  });

  it('keeps the digest and quiet hours across a restart, lists them under "watches", and names a wrong zone', async () => {
    const t = (h = await startHarness());
    await install(t);
    assert.match(texts(await ask(t, 'digest weekdays 08:00 Europe/Amsterdam')).join('\n'), /set the digest here: on weekdays at 08:00 \(Europe\/Amsterdam\); the next one comes/);
    assert.match(texts(await ask(t, 'quiet hours 20:00-07:00 Europe/Amsterdam')).join('\n'), /set quiet hours here: 20:00–07:00 \(Europe\/Amsterdam\)\. They (are on now|start)/);

    await t.restart();
    const schedule = (await stateOnDisk(t)).targets[CHANNEL_ID]?.schedule;
    assert.equal(schedule?.digest?.timeZone, 'Europe/Amsterdam');
    assert.equal(schedule?.quietHours?.end, '07:00');
    const listed = texts(await ask(t, 'watches')).join('\n');
    assert.match(listed, /Digest: on weekdays at 08:00 \(Europe\/Amsterdam\), next (today|tomorrow|on \w{3} \d+ \w{3}) at 08:00\./);
    assert.match(listed, /Quiet hours: 20:00–07:00 \(Europe\/Amsterdam\), (on now|next from)/);

    const refused = cardText(firstCard(await ask(t, 'digest daily 08:00 Europe/Amsterdm')));
    assert.match(refused, /“Europe\/Amsterdm” is not a time zone I know\. Try Europe\/Amsterdam\./);
    assert.match(refused, /digest daily 08:00 Europe\/Amsterdam/);

    assert.match(texts(await ask(t, 'digest off')).join('\n'), /stopped the digest here/);
    assert.match(texts(await ask(t, 'watches')).join('\n'), /Digest: none/);
  });

  it('sends a digest missed while the bot was down once when it comes back, marked late', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch contoso');
    await digestDueToday(t);

    let app = await t.restart();
    assert.equal((await app.engine.schedules.tick()).digests.length, 1);
    await app.delivery.deliverPending();
    app = await t.restart();
    assert.deepEqual((await app.engine.schedules.tick()).digests, [], 'not again after a restart');
    await app.delivery.deliverPending();
    const digests = summaryCards(t, /Digest for/);
    assert.equal(digests.length, 1);
    assert.match(cardText(cardOf(digests[0])), /Late: due at \S+/);
    assert.deepEqual(cardProblems(cardOf(digests[0])), []);
  });

  it('holds alerts in quiet hours, lets a critical incident through, survives a restart, and sums up once when they end', async () => {
    const offset = { ms: 0 };
    const clock = { now: () => Date.now() + offset.ms, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5))) };
    const t = (h = await startHarness({ app: { clock } }));
    await install(t);
    await watch(t, 'watch contoso');
    const now = Date.now();
    const said = texts(await ask(t, `quiet hours ${hhmm(now - 3_600_000)}-${hhmm(now + 3_600_000)} UTC`)).join('\n');
    assert.match(said, /They are on now/);
    await t.app.engine.sweepNow();

    // Critical: posted at once, and its update replies in the thread as usual.
    const { incidentId } = t.sim.scenario.step();
    await t.app.engine.sweepNow();
    const [card] = incidentCards(t, incidentId);
    assert.ok(card?.id, 'the critical incident broke through');
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    assert.equal(repliesText(t, CHANNEL_ID, card.id).length, 1);

    // Lowered to warning: the card is edited, but nobody is pinged.
    t.sim.scenario.step();
    await t.app.engine.sweepNow();
    assert.equal(repliesText(t, CHANNEL_ID, card.id).length, 1, 'no reply for a warning in quiet hours');
    assert.match(cardText(cardOf(t.connector.ok('update').filter((call) => call.activityId === card.id).at(-1))), /Warning/);
    // A new warning incident: no card at all until the summary.
    addIncident(t, 'Contoso', { id: 'EX555101', impactedArea: 'Calendar sharing delays' });
    await t.app.engine.sweepNow();
    assert.equal(incidentCards(t, 'EX555101').length, 0);
    assert.equal((await stateOnDisk(t)).targets[CHANNEL_ID]?.schedule?.held.length, 2, 'held in the state file');

    // A restart in the middle of the quiet hours repeats nothing and loses nothing.
    let app = await t.restart();
    await app.engine.sweepNow();
    assert.equal(incidentCards(t, 'EX555101').length, 0);
    assert.equal(app.store.read().targets[CHANNEL_ID]?.schedule?.held.length, 2);
    assert.deepEqual((await app.engine.schedules.tick()).summaries, [], 'still quiet');

    offset.ms = 61 * 60_000 + 60_000; // past the end
    assert.equal((await app.engine.schedules.tick()).summaries.length, 1);
    await app.delivery.deliverPending();
    app = await t.restart();
    assert.deepEqual((await app.engine.schedules.tick()).summaries, []);
    await app.delivery.deliverPending();

    const summaries = summaryCards(t, /While it was quiet/);
    assert.equal(summaries.length, 1, 'one summary');
    const summary = cardOf(summaries[0]);
    assert.deepEqual(cardProblems(summary), []);
    const text = cardText(summary);
    assert.ok(text.includes('EX555101') && text.includes(incidentId), text);
    assert.match(text, /Calendar sharing delays/);
    assert.match(text, /severity critical → warning/);
    assert.ok(rowVerbs(summary).includes('incident.history'));

    // After the quiet hours, alerts post as usual again: the resolution replies in the thread.
    t.sim.scenario.step();
    await app.engine.sweepNow();
    assert.equal(repliesText(t, CHANNEL_ID, card.id).length, 2);
  });
});
