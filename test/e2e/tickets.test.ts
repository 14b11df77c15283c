// PSA tickets end to end over real HTTP (simulator, app, fake Bot Connector, the simulator's PSA fake): the
// scripted incident opens one ticket under the customer's company, each change notes it, the resolution
// completes it; the record survives in the store; a PSA that refuses the credentials stops with one notice
// while Teams alerts go on.
import assert from 'node:assert/strict';
import { CHANNEL_ID } from '../support/activities.js';
import { customerId, edits, incidentCards, install, stateOnDisk, watch } from '../support/alertSteps.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { capturedLog } from '../support/capturedLog.js';
import { buttonIn, click } from '../support/clicks.js';
import { PSA_SANDBOX_CREDENTIALS } from '../../src/sandbox/psaFakeWire.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import type { TicketSettings } from '../../src/tickets/ticketSettings.js';
import type { TicketDestination } from '../../src/tickets/ticketDestination.js';
import { autotaskSettings, connectWiseSettings, COMPLETE_STATUS, VENDORS, type Vendor } from '../tickets/support.js';

function settingsFor(vendor: Vendor, psa: Simulator, change: { wrongSecret?: boolean } = {}): TicketSettings {
  const wrong = change.wrongSecret ? { secret: 'nope', privateKey: 'nope' } : {};
  return {
    psa: vendor === 'autotask' ? autotaskSettings(psa, wrong) : connectWiseSettings(psa, wrong),
    minSeverity: 'warning',
    sources: ['incidents', 'subscriptions', 'access', 'provisioning'],
    defaultCompanyId: null,
    requestsPerMinute: 6_000,
  };
}

for (const vendor of VENDORS) {
  describe(`PSA tickets end to end (${vendor})`, () => {
    let h: Harness | undefined;
    let psa: Simulator | undefined;
    afterEach(async () => {
      await h?.close();
      await psa?.close();
      h = undefined;
      psa = undefined;
    });

    let logged: ReturnType<typeof capturedLog>;
    const start = async (change: { wrongSecret?: boolean } = {}) => {
      psa = await startSimulator();
      logged = capturedLog('debug');
      h = await startHarness({ config: { tickets: settingsFor(vendor, psa, change) }, app: { log: logged.log } });
      await install(h);
      return { t: h, p: psa };
    };

    it('opens one ticket for the scripted incident under the customer\'s company, notes its changes and completes it', async () => {
      const { t, p } = await start();
      await watch(t, 'watch contoso');
      let incidentId = '';
      for (let step = 0; step < 4; step++) {
        incidentId = t.sim.scenario.step().incidentId;
        await t.app.engine.sweepNow();
        await t.app.outbound.settle();
        // Autotask's numbers are read a moment after the creates, many at once: here, at once.
        await (t.app.outbound.destinations.find((d) => d.name === 'tickets') as TicketDestination).numbers.settle();
      }
      const tickets = p.psa.tickets.filter((ticket) => ticket.psa === vendor);
      assert.equal(tickets.length, 1, JSON.stringify(tickets.map((x) => x.title)));
      const [ticket] = tickets;
      assert.equal(ticket!.companyId, p.psa.companies.find((c) => c.name === 'Contoso')!.id);
      assert.ok(ticket!.title.includes(incidentId), ticket!.title);
      assert.ok(ticket!.notes.length >= 2, `notes: ${ticket!.notes.map((n) => n.title).join(' | ')}`);
      assert.match(ticket!.notes.at(-1)!.title, /^Resolved: /);
      assert.equal(ticket!.status, COMPLETE_STATUS[vendor]);
      const record = (await stateOnDisk(t)).tickets[`incident|${incidentId}|${customerId(t, 'Contoso')}|0`];
      assert.deepEqual([record?.state, record?.ticketId, record?.number], ['complete', ticket!.id, ticket!.number]);
      const cards = incidentCards(t, incidentId, CHANNEL_ID);
      assert.equal(cards.length, 1, 'Teams got its card as before');
      await t.app.delivery.deliverPending();
      const lastEdit = edits(t, cards[0]!.id!).at(-1);
      assert.ok(lastEdit, 'the card was edited after the ticket was made');
      assert.ok(JSON.stringify(cardOf(lastEdit)).includes(`[${ticket!.number}](`), cardText(cardOf(lastEdit)));
      const listed = (await (await fetch(`${p.url}/sandbox/tickets`)).json()) as { tickets: { number: string }[] };
      assert.deepEqual(listed.tickets.map((x) => x.number), [ticket!.number]);
    });

    it('a subscription problem is its own episode: one ticket from its start to its end; an unmapped customer is told once', async () => {
      psa = await startSimulator();
      const settings = { ...settingsFor(vendor, psa), sources: ['subscriptions'] };
      const t = (h = await startHarness({ config: { tickets: settings, subscriptionPollMinutes: 0 } }));
      await install(t);
      await watch(t, 'watch subscriptions all');
      await t.app.engine.sweepNow(); // the subscriptions' baseline
      for (let step = 0; step < 4; step++) {
        t.sim.scenario.step();
        await t.app.engine.sweepNow();
        await t.app.outbound.settle();
        await (t.app.outbound.destinations.find((d) => d.name === 'tickets') as TicketDestination).numbers.settle();
      }
      await t.app.delivery.deliverPending();
      const told = t.connector.calls.filter((call) => /^Fabrikam has no PSA company/.test(call.activity.text ?? ''));
      assert.equal(told.length, 1, 'Fabrikam is unmapped ("Fabrikam, Inc."): one notice in the watching channel');
      assert.ok(!psa.psa.tickets.some((ticket) => ticket.companyId === 103), 'no ticket for the unmapped customer');
      const [ticket, ...more] = psa.psa.tickets;
      assert.equal(more.length, 0, JSON.stringify(psa.psa.tickets.map((x) => x.title)));
      assert.equal(ticket!.companyId, psa.psa.companies.find((c) => c.name === 'Contoso')!.id);
      assert.match(ticket!.title, /The term ends in \d+ days/);
      assert.match(ticket!.notes.at(-1)!.title, /^Resolved: /);
      assert.equal(ticket!.status, COMPLETE_STATUS[vendor], 'the episode ended (the scenario renews the term): completed');
      const records = Object.values((await stateOnDisk(t)).tickets);
      assert.deepEqual(records.map((record) => [record.episodeKey.split('|')[0], record.customerId, record.state]), [['subscription', customerId(t, 'Contoso'), 'complete']]);
      // The subscription card shows its episode's ticket from its first edit after the ticket was made.
      const subscriptionCards = t.connector.calls.filter((call) => /\nTerm ends\n/.test(cardText(cardOf(call))) && cardText(cardOf(call)).includes('Contoso'));
      assert.ok(subscriptionCards.length >= 2, 'the Contoso subscription card was posted and edited');
      const lastCard = cardText(cardOf(subscriptionCards.at(-1)));
      assert.ok(lastCard.includes(`\nTicket\n[${ticket!.number}](${psa.url}/`), `the number, as a link to the PSA:\n${lastCard}`);
      // A button redraws the card with the ticket too.
      const acknowledged = await click(t, buttonIn(cardOf(subscriptionCards.at(-1)), 'Acknowledge'), subscriptionCards[0]!.id!);
      assert.match(acknowledged.text, /Acknowledged by Ana Bowman/);
      assert.ok(acknowledged.text.includes(`\nTicket\n[${ticket!.number}](`), acknowledged.text);
    });

    it('a watch that starts during an ongoing incident opens no ticket for it', async () => {
      const { t, p } = await start();
      t.sim.scenario.step();
      await watch(t, 'watch contoso');
      await t.app.engine.sweepNow();
      await t.app.outbound.settle();
      assert.equal(p.psa.tickets.length, 0);
    });

    it('a PSA that refuses the credentials stops the tickets with one notice and a /healthz reason; Teams alerts go on', async () => {
      const { t } = await start({ wrongSecret: true });
      await watch(t, 'watch contoso');
      const incidentId = t.sim.scenario.step().incidentId;
      await t.app.engine.sweepNow();
      await t.app.outbound.settle();
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
      await t.app.outbound.settle();
      await t.app.delivery.deliverPending();
      assert.equal(incidentCards(t, incidentId, CHANNEL_ID).length, 1, 'the Teams card went out');
      const answer = await fetch(`${t.app.url}/healthz`);
      const health = (await answer.json()) as { status: string; reasons: string[]; outbound: { stopped: { destination: string; stopped: string }[] } };
      assert.deepEqual(health.outbound.stopped.map((e) => e.destination), ['tickets']);
      assert.match(health.outbound.stopped[0]!.stopped, /refused the credentials \(401\)/);
      // Said among the reasons until it is fixed, but a dead PSA never takes the bot out of rotation.
      assert.equal(health.reasons.length, 1, health.reasons.join(' | '));
      assert.match(health.reasons[0]!, new RegExp(`^tickets tickets:${vendor} is stopped until restart: .*refused the credentials \\(401\\)`));
      assert.deepEqual([answer.status, health.status], [200, 'ok']);
      const ready = await fetch(`${t.app.url}/readyz`);
      assert.deepEqual([ready.status, await ready.text()], [200, 'ok']);

      // `tickets` still shows the PSA, the rules and the counts, and names the problem in one line.
      const before = t.connector.calls.length;
      assert.equal(await t.say('tickets', { channelId: CHANNEL_ID }), 200);
      await t.connector.waitFor((calls) => calls.length > before);
      const overview = cardText(cardOf(t.connector.calls[before]));
      assert.match(overview, /^PSA tickets\n/);
      assert.match(overview, new RegExp(`Tickets go to ${vendor === 'autotask' ? 'Autotask' : 'ConnectWise PSA'}: one per problem episode per customer\\.`));
      assert.match(overview, /Rules: severity warning or worse opens a ticket; sources incidents, subscriptions, access, provisioning/);
      assert.match(overview, /Open tickets made by the bot: 0\./);
      assert.match(overview, /did not answer, so the unmapped customers cannot be listed: .*refused the credentials \(401\).*then restart\./);
      assert.doesNotMatch(overview, /at .*\.js:\d+/);
      const texts = t.connector.calls.filter((call) => call.activity.text?.includes('PSA tickets are paused'));
      assert.equal(texts.length, 1, 'one notice');
      const secrets = ['nope', ...Object.values(PSA_SANDBOX_CREDENTIALS[vendor]).filter((value) => typeof value === 'string' && value.length > 8 && !value.includes('@') && value !== 'Service Board')];
      assert.ok(logged.lines.some((line) => line.includes('stopped until restart')), 'the stop is logged');
      for (const secret of secrets) assert.ok(!logged.lines.some((line) => line.includes(secret as string)), `a log line shows ${String(secret)}`);
    });
  });
}
