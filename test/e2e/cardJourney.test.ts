// The feature's "done when", walked as a user would: one typed command, then only clicks, each on a button
// found in the card the previous click returned. From an incident's history to the customer, its
// subscriptions and back; then watching from the card, and acknowledging and muting the shared alert.
import assert from 'node:assert/strict';
import { CHANNEL_ID } from '../support/activities.js';
import { askForCard, buttonIn, click, updatesOf } from '../support/clicks.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';

describe('from "status for contoso" to everything, without typing', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  it('drills down and back, watches, and acknowledges and mutes the shared alert', async () => {
    const status = await askForCard(h, 'status for contoso');
    assert.match(status.text, /Incidents for Contoso/);
    const clickOn = (card: unknown, title: string | RegExp) => click(h, buttonIn(card, title), status.id);

    const history = await clickOn(status.card, 'History');
    assert.match(history.text, /Incident history/);
    assert.match(history.text, /updates?, newest first/);

    const overview = await clickOn(history.card, 'Customer');
    assert.match(overview.text, /^Contoso\nCustomer overview/);

    const subscriptions = await clickOn(overview.card, 'Subscriptions');
    assert.match(subscriptions.text, /Subscriptions of Contoso/);

    const backToCustomer = await clickOn(subscriptions.card, 'Customer');
    assert.match(backToCustomer.text, /^Contoso\nCustomer overview/);

    const backToIncidents = await clickOn(backToCustomer.card, 'Incidents');
    assert.match(backToIncidents.text, /Incidents for Contoso/);
    assert.equal(updatesOf(h, status.id).length, 0, 'drilling down changed nothing for anyone else');

    // Watching is a click too; it changes the card for everyone in the channel.
    const again = await clickOn(backToIncidents.card, 'Customer');
    const watched = await clickOn(again.card, 'Watch here');
    assert.match(watched.text, /Watched here/);
    assert.equal(updatesOf(h, status.id).length, 1);

    // A new incident for Contoso arrives as a shared alert card in the channel.
    const { incidentId } = h.sim.scenario.step();
    await h.app.engine.sweepNow();
    const posted = h.connector.ok('post').find((call) => call.conversationId === CHANNEL_ID && cardText(cardOf(call)).includes(incidentId));
    assert.ok(posted?.id);
    const alert = cardOf(posted);

    const acknowledged = await click(h, buttonIn(alert, 'Acknowledge'), posted.id);
    const muted = await click(h, buttonIn(acknowledged.card, 'Mute 4 h'), posted.id);
    assert.match(muted.text, /Acknowledged by Ana Bowman at \d\d:\d\d UTC/);
    assert.match(muted.text, /Muted by Ana Bowman until /);

    // Everyone sees both on the shared card: the last edit of the posted alert carries them.
    const shared = updatesOf(h, posted.id);
    assert.equal(shared.length, 2);
    const everyone = cardText(cardOf(shared.at(-1)));
    assert.match(everyone, /Acknowledged by Ana Bowman/);
    assert.match(everyone, /Muted by Ana Bowman until /);
    assert.match(cardText(cardOf(shared.at(-1))), /Unmute/);
  });
});
