// The PSA ticket commands over real HTTP: `tickets`, `tickets unmapped` with its candidate buttons,
// `ticket map` (a company that does not exist gets one sentence) and `ticket unmap`, stored in the state.
import assert from 'node:assert/strict';
import { CHANNEL_ID } from '../support/activities.js';
import { customerId, install, stateOnDisk, watch } from '../support/alertSteps.js';
import { buttonIn, click } from '../support/clicks.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { autotaskSettings } from '../tickets/support.js';

/** Says `text` in the channel and returns the card (or text) the bot answers with. */
async function ask(h: Harness, text: string): Promise<{ text: string; card: Record<string, unknown> | undefined; id: string | null }> {
  const before = h.connector.calls.length;
  assert.equal(await h.say(text, { channelId: CHANNEL_ID }), 200);
  await h.connector.waitFor((calls) => calls.length > before);
  const call = h.connector.calls[before]!;
  const card = cardOf(call);
  return { text: (card ? cardText(card) : String(call.activity.text)).replace(/\n/g, ' '), card, id: call.id };
}

describe('PSA ticket commands', () => {
  let h: Harness | undefined;
  let psa: Simulator | undefined;
  afterEach(async () => {
    await h?.close();
    await psa?.close();
    h = undefined;
    psa = undefined;
  });

  const start = async (tickets: boolean) => {
    psa = await startSimulator();
    const settings = { psa: autotaskSettings(psa), minSeverity: 'critical' as const, sources: ['incidents'], defaultCompanyId: null, requestsPerMinute: 6_000 };
    h = await startHarness({ config: { tickets: tickets ? settings : null } });
    await install(h);
    return h;
  };

  it('says how to turn tickets on when TICKETS is off', async () => {
    const t = await start(false);
    assert.match((await ask(t, 'tickets')).text, /PSA tickets are off.*TICKETS=autotask/);
  });

  it('lists the watched customers without a company with buttons for the likely ones; a click maps and stores it', async () => {
    const t = await start(true);
    await watch(t, 'watch contoso');
    await watch(t, 'watch fabrikam');
    const unmapped = await ask(t, 'tickets unmapped');
    assert.match(unmapped.text, /1 watched customer without a PSA company/);
    assert.match(unmapped.text, /Fabrikam \(fabrikam\.onmicrosoft\.com\): likely Fabrikam, Inc\. \(103\)/);
    assert.doesNotMatch(unmapped.text, /Contoso \(/, 'Contoso matched by its exact name');

    const overview = await ask(t, 'tickets');
    assert.match(overview.text, /Tickets go to Autotask/);
    assert.match(overview.text, /severity critical or worse/);
    assert.match(overview.text, /Open tickets made by the bot: 0\./);
    assert.match(overview.text, /without a PSA company: Fabrikam\./);

    const clicked = await click(t, buttonIn(unmapped.card, 'Fabrikam → Fabrikam, Inc.'), unmapped.id ?? 'activity-0');
    assert.match(clicked.text, /Fabrikam's tickets now go to Fabrikam, Inc\. \(103\) in Autotask/);
    const link = (await stateOnDisk(t)).ticketCompanies[customerId(t, 'Fabrikam')];
    assert.deepEqual([link?.companyId, link?.companyName, link?.setBy], [103, 'Fabrikam, Inc.', 'Ana Bowman']);
    assert.match((await ask(t, 'tickets unmapped')).text, /Every watched customer has a PSA company/);
  });

  it('ticket map with a company id that does not exist answers one sentence and stores nothing; ticket unmap clears a mapping', async () => {
    const t = await start(true);
    const missing = await ask(t, 'ticket map fabrikam to 999999');
    assert.match(missing.text, /No such company.*Autotask has no company with the id 999999; "tickets unmapped" shows the likely ones with their ids\./);
    assert.deepEqual((await stateOnDisk(t)).ticketCompanies, {});

    assert.match((await ask(t, 'ticket map fabrikam to 103')).text, /Fabrikam's tickets now go to Fabrikam, Inc\. \(103\)/);
    assert.match((await ask(t, 'ticket unmap fabrikam')).text, /Fabrikam is no longer mapped to Fabrikam, Inc\. by hand/);
    assert.deepEqual((await stateOnDisk(t)).ticketCompanies, {});
    assert.match((await ask(t, 'ticket map fabrikam to acme')).text, /"acme" is not a PSA company id: it is a number/);
  });

  it('a PSA that refuses answers with one sentence, never a stack', async () => {
    const t = await start(true);
    await watch(t, 'watch fabrikam');
    psa!.psa.failNext('autotask', { status: 500, times: 5 });
    const answer = await ask(t, 'tickets unmapped');
    assert.match(answer.text, /Autotask did not answer as hoped.*Autotask answered 500 .*Injected failure 500\./);
    assert.doesNotMatch(answer.text, /at .*\.js:\d+/);
  });
});
