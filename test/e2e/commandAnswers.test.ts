// How the bot answers a command it cannot run as typed, end to end over real HTTP (simulator, app, fake Bot
// Connector): a mistyped command word gets "Did you mean …?" with a button that does it, not the help card;
// a schedule command hears every problem at once; a time-zone hint shows the real underscore.
import assert from 'node:assert/strict';
import { customerId } from '../support/alertSteps.js';
import { askForCard, buttonIn, buttonsOf, click } from '../support/clicks.js';
import { startHarness, type Harness } from '../support/harness.js';
import { assertGoodCard } from '../support/cardChecks.js';
import type { AdaptiveCardJson } from '../../src/cards.js';

describe('answers to commands that cannot run as typed, end to end', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await h.app.directory.reload();
  });
  after(async () => {
    await h.close();
  });

  it('answers a mistyped command word with one sentence, "Did you mean …?" and a button that runs it, plus Help', async () => {
    const answer = await askForCard(h, 'stauts for contoso');
    assertGoodCard(answer.card as AdaptiveCardJson);
    assert.match(answer.text, /^I didn’t understand “stauts for contoso”\.\nDid you mean “status for contoso”\?/);
    // Not the help card: none of its other commands are listed.
    assert.doesNotMatch(answer.text, /quiet hours|provisioning order|watch all/);
    assert.deepEqual(buttonsOf(answer.card).map((b) => b.title), ['status for contoso', 'Help']);
    const suggested = buttonIn(answer.card, 'status for contoso');
    assert.deepEqual(suggested.data, { customerId: customerId(h, 'Contoso') });
    assert.match((await click(h, suggested, answer.id)).text, /^Incidents for Contoso\n/);
  });

  it('offers Help alone, in one sentence, when nothing is near a command', async () => {
    const answer = await askForCard(h, 'make coffee');
    assert.match(answer.text, /^I didn’t understand “make coffee”\.\nHelp\nHelp$/, 'the sentence and the Help button (title and fallback) only');
    assert.deepEqual(buttonsOf(answer.card).map((b) => b.title), ['Help']);
  });

  it('reports every problem of "quiet hours 25:00-07:00 Mars/Olympus" at once', async () => {
    const answer = await askForCard(h, 'quiet hours 25:00-07:00 Mars/Olympus');
    assert.match(answer.text, /“25:00” is not a time of day I know\./);
    assert.match(answer.text, /“Mars\/Olympus” is not a time zone I know\./);
    assert.match(answer.text, /quiet hours 20:00-07:00 Europe\/Amsterdam/);
  });

  it('shows a time-zone hint with the real underscore, and takes back the look-alike a card once showed', async () => {
    const hint = await askForCard(h, 'digest daily 08:00 America/New_Yrok');
    assertGoodCard(hint.card as AdaptiveCardJson);
    assert.match(hint.text, /“America\/New_Yrok” is not a time zone I know\. Try America\/New_York\./);
    assert.doesNotMatch(JSON.stringify(hint.card), /\uFF3F/);

    const before = h.connector.calls.length;
    assert.equal(await h.say('digest daily 08:00 America/New＿York'), 200);
    await h.connector.waitFor((calls) => calls.length > before);
    const reply = h.connector.calls.slice(before).map((call) => String(call.activity.text ?? '')).join('\n');
    assert.match(reply, /set the digest here: every day at 08:00 \(America\/New_York\)/);
  });
});
