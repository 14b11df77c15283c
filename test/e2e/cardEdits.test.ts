// Card edits and thread replies keep different paces (issue 21, item 4), end to end over real HTTP: an
// edit notifies no one, so a card behind its thread is edited within 10 s (changes in between coalesced),
// while replies, which notify people, stay a minute apart. Four customers join one incident in quick
// succession; after every edit the card lists every customer its replies announced and not resolved.
import assert from 'node:assert/strict';
import { SCENARIO_SUBSCRIPTIONS } from '../../src/sandbox/scenario.js';
import { CHANNEL_ID } from '../support/activities.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { addIncident, customerId, edits, incidentCards, install, repliesText, resolveFor, watch } from '../support/alertSteps.js';

const INCIDENT = 'EX777001';
const CUSTOMERS = ['Contoso', 'Fabrikam', 'Northwind Traders', 'Tailspin Toys'];

describe('card edits within 10 s, replies a minute apart (fast changes across 4 customers)', () => {
  let h: Harness;
  /** The app's clock runs `offset.ms` ahead of real time: the test moves it on instead of waiting. */
  const offset = { ms: 0 };
  const clock = { now: () => Date.now() + offset.ms, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 5))) };

  beforeEach(async () => {
    offset.ms = 0;
    // Subscriptions are fetched every round, so a scenario step shows at the next sweep.
    const config = { subscriptionPollMinutes: 0 };
    h = await startHarness({ config, app: { clock, engine: { threadEditIntervalMs: 60_000, cardEditIntervalMs: 10_000 } } });
    await install(h);
  });
  afterEach(async () => {
    await h.close();
  });

  /** The text of the card's latest version (its last edit, else the post). */
  const cardNow = (rootId: string) => cardText(cardOf(edits(h, rootId).at(-1) ?? incidentCards(h, INCIDENT)[0]));

  it('edits the card within 10 s of each change, coalescing them, and spaces only the replies', async () => {
    for (const name of CUSTOMERS) await watch(h, `watch ${name.split(' ')[0]?.toLowerCase()}`);
    await h.app.engine.sweepNow(); // the baseline
    addIncident(h, 'Contoso', { id: INCIDENT, severity: 'critical', status: 'critical' });
    await h.app.engine.sweepNow();
    const [card] = incidentCards(h, INCIDENT);
    assert.ok(card?.id, 'the card is posted at once');
    const root = card.id;

    offset.ms = 5_000;
    addIncident(h, 'Fabrikam', { id: INCIDENT, severity: 'critical', status: 'critical' });
    await h.app.engine.sweepNow();
    assert.equal(edits(h, root).length, 0, 'the card was posted 5 s ago: its edit waits a little, to take in what follows');

    offset.ms = 11_000;
    await h.app.delivery.deliverPending();
    assert.equal(edits(h, root).length, 1, 'edited within 10 s of the change');
    assert.match(cardNow(root), /Watched customers \(2\): 2 affected/);
    assert.deepEqual(repliesText(h, CHANNEL_ID, root), [], 'the reply waits for the minute');

    offset.ms = 13_000;
    addIncident(h, 'Northwind Traders', { id: INCIDENT, severity: 'critical', status: 'critical' });
    await h.app.engine.sweepNow();
    offset.ms = 15_000;
    addIncident(h, 'Tailspin Toys', { id: INCIDENT, severity: 'critical', status: 'critical' });
    await h.app.engine.sweepNow();
    assert.equal(edits(h, root).length, 1, 'edits are spaced too: the changes in between wait together');

    offset.ms = 22_000;
    await h.app.delivery.deliverPending();
    assert.equal(edits(h, root).length, 2, 'one edit for both changes');
    for (const name of CUSTOMERS) assert.match(cardNow(root), new RegExp(name), `${name} is on the card`);
    assert.match(cardNow(root), /Watched customers \(4\): 4 affected/);
    assert.deepEqual(repliesText(h, CHANNEL_ID, root), []);

    offset.ms = 61_000; // a minute after the card was posted
    await h.app.delivery.deliverPending();
    const replies = repliesText(h, CHANNEL_ID, root);
    assert.equal(replies.length, 1, 'one reply for all three changes');
    assert.match(replies[0] ?? '', /^Now also affects Fabrikam, Northwind Traders, Tailspin Toys\.$/);

    // A resolution right after the reply: the card shows it within 10 s; its reply waits for the next minute.
    offset.ms = 63_000;
    resolveFor(h, 'Contoso', INCIDENT);
    await h.app.engine.sweepNow();
    offset.ms = 72_000;
    await h.app.delivery.deliverPending();
    assert.match(cardNow(root), /Watched customers \(4\): 3 affected, 1 recovered/);
    assert.equal(repliesText(h, CHANNEL_ID, root).length, 1);
    offset.ms = 122_000;
    await h.app.delivery.deliverPending();
    assert.deepEqual(repliesText(h, CHANNEL_ID, root).slice(1), ['Resolved for Contoso.']);

    // After every edit, the card names every customer its replies had announced by then and not resolved.
    const announced = new Set<string>(['Contoso']);
    const resolved = new Set<string>();
    const events = [
      ...edits(h, root).map((call) => ({ at: h.connector.calls.indexOf(call), card: cardText(cardOf(call)) })),
      ...h.connector.threadReplies(CHANNEL_ID, root).map((call) => ({ at: h.connector.calls.indexOf(call), reply: String(call.activity.text) })),
    ].sort((a, b) => a.at - b.at);
    for (const event of events) {
      if ('reply' in event) {
        for (const name of CUSTOMERS) if (event.reply.includes(name)) (/^Resolved for/.test(event.reply) ? resolved : announced).add(name);
        continue;
      }
      for (const name of announced) if (!resolved.has(name)) assert.match(event.card, new RegExp(name), `an edit names ${name}`);
    }
  });

  it('does the same for a subscription card: edited at once, its reply a minute after the card', async () => {
    await watch(h, 'watch subscriptions contoso');
    await h.app.engine.sweepNow(); // the baseline
    const { offer } = SCENARIO_SUBSCRIPTIONS.ends;
    const subscription = h.sim.data.subscriptionsOf(customerId(h, 'Contoso')).find((s) => s.offerName === offer);
    const ends = subscription?.id ?? '';
    h.sim.scenario.step();
    h.sim.scenario.step(); // Contoso's E3 ends in 20 days without auto-renew
    await h.app.engine.sweepNow();
    const [card] = h.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && cardText(cardOf(call)).includes(ends));
    assert.ok(card?.id, 'the card is posted');

    offset.ms = 5_000;
    h.sim.scenario.step(); // now 5 days
    await h.app.engine.sweepNow();
    assert.equal(edits(h, card.id).length, 0, 'posted 5 s ago: the edit waits a little');
    offset.ms = 11_000;
    await h.app.delivery.deliverPending();
    assert.match(cardText(cardOf(edits(h, card.id).at(-1))), /^Warning · subscription ends in 5 days/, 'edited within 10 s of the change');
    assert.deepEqual(repliesText(h, CHANNEL_ID, card.id), [], 'the reply waits for the minute');

    offset.ms = 61_000;
    await h.app.delivery.deliverPending();
    assert.deepEqual(
      repliesText(h, CHANNEL_ID, card.id).map((text) => text.replace(/\(.*\)/, '(…)')),
      [`Contoso · ${subscription?.friendlyName}: The term ends in 5 days (…) and will not renew.`],
    );
  });
});
