// Proactive alerts when things go wrong, end to end over real HTTP: the simulator serves Partner Center,
// the fake Bot Connector answers like Teams (429, 403, 404, 413, 503), and every assertion is about what a
// channel member would see, what the state file on disk holds, and what /healthz says.
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';
import { cardOf, cardText } from '../support/fakeConnector.js';
import { CHANNEL_ID, installationUpdate, sendToBot, TEAM_ID, TENANT } from '../support/activities.js';
import {
  addIncident,
  cardBytes,
  cardProblems,
  customerId,
  edits,
  healthz,
  incidentCards,
  install,
  isWelcome,
  OTHER_CHANNEL_ID,
  repliesText,
  resolveFor,
  startHarnessWithTimeout,
  stateOnDisk,
  vanishFor,
  watch,
} from '../support/alertSteps.js';

const CONTOSO_PENDING_ORDER = '9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1';

describe('proactive alerts under faults, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  describe('incident-centric cards', () => {
    it('posts one card per conversation and incident listing every watched customer, and edits it when one recovers', async () => {
      const t = (h = await startHarness());
      await install(t);
      for (const name of ['contoso', 'fabrikam', 'northwind']) await watch(t, `watch ${name}`);
      await watch(t, 'watch fabrikam', OTHER_CHANNEL_ID);

      const { incidentId } = t.sim.scenario.step();
      const opened = await t.app.engine.sweepNow();
      assert.equal(opened.delivery.sent, 2, 'one card per conversation');

      const cards = incidentCards(t, incidentId);
      assert.equal(cards.length, 1, 'ONE card in the channel watching three affected customers');
      const card = cards[0]!;
      const text = cardText(cardOf(card));
      assert.match(text, /Watched customers \(3\): 3 affected/);
      for (const name of ['Contoso', 'Fabrikam', 'Northwind Traders']) assert.match(text, new RegExp(name));
      assert.doesNotMatch(text, /Tailspin/, 'an affected customer nobody here watches is not listed');

      const otherCards = incidentCards(t, incidentId, OTHER_CHANNEL_ID);
      assert.equal(otherCards.length, 1, 'the other channel gets its own single card');
      const other = otherCards[0]!;
      assert.match(cardText(cardOf(other)), /Watched customers \(1\)/);
      assert.match(cardText(cardOf(other)), /Fabrikam/);
      assert.doesNotMatch(cardText(cardOf(other)), /Contoso|Northwind/);

      // Partner Center now reports the incident resolved for Fabrikam only.
      resolveFor(t, 'Fabrikam', incidentId);
      const resolved = await t.app.engine.sweepNow();
      assert.equal(resolved.cycle.events, 1);
      assert.equal(resolved.delivery.sent, 2);

      const edited = edits(t, card.id ?? '');
      assert.equal(edited.length, 1, 'the channel card is edited in place');
      const editedText = cardText(cardOf(edited[0]));
      assert.match(editedText, /Watched customers \(3\): 2 affected, 1 recovered/);
      assert.match(editedText, /Critical incident/, 'the incident is still on for Contoso and Northwind');
      assert.doesNotMatch(editedText, /Resolved · was/);
      assert.deepEqual(repliesText(t, CHANNEL_ID, card.id ?? ''), ['Resolved for Fabrikam.']);

      assert.equal(edits(t, other.id ?? '').length, 1);
      assert.match(cardText(cardOf(edits(t, other.id ?? '')[0])), /Resolved · was critical/);
      assert.deepEqual(repliesText(t, OTHER_CHANNEL_ID, other.id ?? ''), ['Resolved for Fabrikam.\n\nEvery watched customer has recovered.']);
      assert.equal(incidentCards(t, incidentId).length + incidentCards(t, incidentId, OTHER_CHANNEL_ID).length, 2, 'no new cards');

      const disk = await stateOnDisk(t);
      const thread = disk.threads[`${CHANNEL_ID}|${incidentId}`];
      assert.equal(thread?.activityId, card.id);
      assert.equal(thread?.resolvedAt, null);
      assert.deepEqual(
        Object.values(thread?.customers ?? {}).map((c) => [c.name, c.resolved]).sort(),
        [['Contoso', false], ['Fabrikam', true], ['Northwind Traders', false]],
      );
      assert.ok(disk.threads[`${OTHER_CHANNEL_ID}|${incidentId}`]?.resolvedAt);
    });

    it('edits the card with "No longer reported" when an incident vanishes from a successful fetch', async () => {
      const t = (h = await startHarness());
      await watch(t, 'watch contoso');
      const { incidentId } = t.sim.scenario.step();
      await t.app.engine.sweepNow();
      const card = incidentCards(t, incidentId)[0];
      assert.ok(card);

      vanishFor(t, 'Contoso', incidentId);
      const result = await t.app.engine.sweepNow();
      assert.equal(result.cycle.customersFailed.length, 0);
      assert.equal(result.delivery.sent, 1);
      assert.equal(edits(t, card.id ?? '').length, 1);
      assert.deepEqual(repliesText(t, CHANNEL_ID, card.id ?? ''), ['No longer reported for Contoso.\n\nEvery watched customer has recovered.']);
      assert.equal(incidentCards(t, incidentId).length, 1);
      const thread = (await stateOnDisk(t)).threads[`${CHANNEL_ID}|${incidentId}`];
      assert.ok(thread?.resolvedAt);
      assert.equal(thread?.customers[customerId(t, 'Contoso')]?.vanished, true);
    });
  });

  describe('Partner Center faults during a cycle', () => {
    it('keeps alerting the others, never reads a failed fetch as resolved, reports it in /healthz, and catches up once', async () => {
      const t = (h = await startHarnessWithTimeout(150));
      await install(t);
      for (const name of ['contoso', 'fabrikam', 'northwind']) await watch(t, `watch ${name}`);
      const { incidentId } = t.sim.scenario.step();
      await t.app.engine.sweepNow();
      const card = incidentCards(t, incidentId)[0];
      assert.ok(card);

      // The incident gets an update; Fabrikam's fetch fails with 500 on every retry, Northwind's hangs.
      t.sim.scenario.step();
      const fabrikam = customerId(t, 'Fabrikam');
      const northwind = customerId(t, 'Northwind Traders');
      const broken = t.sim.faults.add({ path: `${fabrikam}/serviceincidents`, status: 500, times: Infinity });
      const hung = t.sim.faults.add({ path: `${northwind}/serviceincidents`, hang: true, times: Infinity });
      const requestsBefore = t.sim.requestCount;
      const snapshotBefore = (await stateOnDisk(t)).incidentSnapshots[fabrikam];

      const bad = await t.app.engine.sweepNow();
      const asked = (id: string) => t.sim.requests.slice(requestsBefore - t.sim.requestCount).filter((r) => r.path.includes(`${id}/serviceincidents`)).length;
      assert.equal(asked(fabrikam), 4, 'Fabrikam: the first attempt and 3 retries, all 500');
      assert.equal(asked(northwind), 4, 'Northwind: the first attempt and 3 retries, all timed out');
      assert.deepEqual(bad.cycle.customersFailed.map((failure) => failure.name).sort(), ['Fabrikam', 'Northwind Traders']);
      assert.equal(bad.cycle.customersFetched, 1);

      // Contoso's update is delivered; nobody is told that Fabrikam or Northwind recovered.
      assert.equal(bad.delivery.sent, 1);
      const replies = repliesText(t, CHANNEL_ID, card.id ?? '');
      assert.equal(replies.length, 1);
      assert.match(replies[0] ?? '', /^Update for Contoso/);
      assert.doesNotMatch(replies.join('\n'), /Fabrikam|Northwind|Resolved|No longer reported/);
      const editedText = cardText(cardOf(edits(t, card.id ?? '').at(-1)));
      assert.match(editedText, /Watched customers \(3\): 3 affected/);

      const disk = await stateOnDisk(t);
      assert.deepEqual(disk.incidentSnapshots[fabrikam], snapshotBefore, 'a failed fetch leaves the snapshot alone');
      const thread = disk.threads[`${CHANNEL_ID}|${incidentId}`];
      assert.equal(thread?.customers[fabrikam]?.resolved, false);
      assert.equal(thread?.customers[northwind]?.resolved, false);
      assert.equal(thread?.resolvedAt, null);

      for (const health of [(await t.app.health()) as unknown as Awaited<ReturnType<typeof healthz>>, await healthz(t)]) {
        const failed = health.sweep.lastRound?.customersFailed ?? [];
        assert.deepEqual(failed.map((failure) => [failure.customerId, failure.name]).sort(), [
          [fabrikam, 'Fabrikam'],
          [northwind, 'Northwind Traders'],
        ].sort());
        assert.ok(failed.every((failure) => failure.error.length > 0));
      }

      // The next good cycle delivers what the failing customers missed, once.
      broken.remove();
      hung.remove();
      const good = await t.app.engine.sweepNow();
      assert.equal(good.cycle.customersFailed.length, 0);
      assert.equal(good.cycle.events, 2);
      assert.equal(good.delivery.sent, 1, 'one edit and one reply for both customers');
      const after = repliesText(t, CHANNEL_ID, card.id ?? '');
      assert.equal(after.length, 2);
      assert.match(after[1] ?? '', /^Update for (Fabrikam, Northwind Traders|Northwind Traders, Fabrikam)/);
      assert.deepEqual((await healthz(t)).sweep.lastRound?.customersFailed, []);

      const calls = t.connector.calls.length;
      const quiet = await t.app.engine.sweepNow();
      assert.equal(quiet.delivery.sent, 0);
      assert.equal(t.connector.calls.length, calls, 'delivered once, not again');
      assert.equal(incidentCards(t, incidentId).length, 1);
    });
  });

  describe('Bot Connector faults', () => {
    it('waits out a 429 Retry-After through the injected clock and posts exactly one card', async () => {
      const t = (h = await startHarness());
      await install(t);
      await watch(t, 'watch contoso');
      const { incidentId } = t.sim.scenario.step();
      t.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 429, code: 'Throttled', retryAfterSeconds: 1 });
      const calls = t.connector.calls.length;
      const sleeps = t.clock.sleeps.length;

      const result = await t.app.engine.sweepNow();
      assert.equal(result.delivery.sent, 1);
      // botbuilder's own HTTP pipeline would retry the 429 by itself, in real time and out of sight of the
      // clock; the sender turns that off, so the delivery stage alone retries, after Retry-After.
      assert.deepEqual(t.connector.calls.slice(calls).map((call) => [call.kind, call.status]), [['post', 429], ['post', 200]]);
      assert.deepEqual(t.clock.sleeps.slice(sleeps).filter((ms) => ms >= 1000), [1000]);
      assert.equal(incidentCards(t, incidentId).length, 1, 'exactly one card, no duplicate');
      assert.equal((await stateOnDisk(t)).outbox.length, 0);
    });

    it('retries a transient 503 three times in the run (no hidden SDK retries), then defers it with a backoff', async () => {
      const t = (h = await startHarness());
      await watch(t, 'watch contoso');
      const { incidentId } = t.sim.scenario.step();
      t.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 503, code: 'ServiceUnavailable', times: 4 });
      const calls = t.connector.calls.length;
      const sleeps = t.clock.sleeps.length;

      const result = await t.app.engine.sweepNow();
      assert.deepEqual(result.delivery, { sent: 0, deferred: 1, dropped: 0 });
      assert.equal(t.connector.calls.length - calls, 4, 'the first attempt and 3 retries; botbuilder adds none');
      assert.equal(t.clock.sleeps.length - sleeps, 3);
      const [queued] = (await stateOnDisk(t)).outbox;
      assert.equal(queued?.attempts, 1);
      assert.ok(Date.parse(queued?.notBefore ?? '') > Date.now(), 'deferred to later');
      assert.match(queued?.lastError ?? '', /503/);
      assert.equal((await healthz(t)).deliveries.failing, 1);
      assert.equal(incidentCards(t, incidentId).length, 0);
    });

    it('deactivates a conversation on 403 BotNotInConversationRoster, drops its queue, and sends it nothing more', async () => {
      const t = (h = await startHarness());
      await install(t);
      await watch(t, 'watch contoso');
      t.sim.scenario.step();
      addIncident(t, 'Contoso', { id: 'EX990001', severity: 'critical', status: 'critical' });
      t.connector.fail({ kind: 'post', conversationId: CHANNEL_ID, status: 403, code: 'BotNotInConversationRoster', times: Infinity });
      const calls = t.connector.calls.length;

      const result = await t.app.engine.sweepNow();
      assert.equal(result.cycle.deliveriesQueued, 2);
      assert.equal(result.delivery.sent, 0);
      assert.equal(t.connector.calls.length - calls, 1, 'one request, no retry storm');
      const target = t.app.store.read().targets[CHANNEL_ID];
      assert.equal(target?.active, false);
      assert.equal(target?.inactiveReason, 'BotNotInConversationRoster');
      const disk = await stateOnDisk(t);
      assert.equal(disk.targets[CHANNEL_ID]?.active, false);
      assert.deepEqual(disk.outbox, [], 'both queued deliveries dropped');
      assert.deepEqual((await healthz(t)).targets, { active: 0, inactive: 1 });

      // New events later: nothing is fetched or sent for the inactive conversation.
      t.sim.scenario.step();
      addIncident(t, 'Contoso', { id: 'EX990002', severity: 'critical', status: 'critical' });
      const later = await t.app.engine.sweepNow();
      assert.equal(later.delivery.sent + later.delivery.deferred + later.delivery.dropped, 0);
      assert.equal(t.connector.calls.length - calls, 1, 'still just the one request');
    });

    it('deactivates a conversation on 404 ConversationNotFound when editing its card', async () => {
      const t = (h = await startHarness());
      await install(t);
      await watch(t, 'watch contoso');
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
      t.sim.scenario.step();
      t.connector.fail({ kind: 'update', conversationId: CHANNEL_ID, status: 404, code: 'ConversationNotFound', times: Infinity });
      const calls = t.connector.calls.length;

      const result = await t.app.engine.sweepNow();
      assert.deepEqual(result.delivery, { sent: 0, deferred: 0, dropped: 1 });
      assert.deepEqual(t.connector.calls.slice(calls).map((call) => [call.kind, call.status]), [['update', 404]], 'no reply, no retry');
      const disk = await stateOnDisk(t);
      assert.equal(disk.targets[CHANNEL_ID]?.active, false);
      assert.equal(disk.targets[CHANNEL_ID]?.inactiveReason, 'ConversationNotFound');
      assert.deepEqual(disk.outbox, []);
      assert.deepEqual((await healthz(t)).targets, { active: 0, inactive: 1 });

      t.sim.scenario.step();
      await t.app.engine.sweepNow();
      assert.equal(t.connector.calls.length - calls, 1);
    });

    it('answers a 413 on an edit with a smaller card that still parses, and never resends the big one', async () => {
      const t = (h = await startHarness());
      await watch(t, 'watch contoso');
      const { incidentId } = t.sim.scenario.step();
      await t.app.engine.sweepNow();
      const card = incidentCards(t, incidentId)[0];
      assert.ok(card);
      t.sim.scenario.step();
      lengthenLatestMessage(t, incidentId);
      t.connector.fail({ kind: 'update', conversationId: CHANNEL_ID, status: 413, code: 'MessageSizeTooBig' });
      const calls = t.connector.calls.length;

      const result = await t.app.engine.sweepNow();
      assert.equal(result.delivery.sent, 1);
      const made = t.connector.calls.slice(calls);
      assert.deepEqual(made.map((call) => [call.kind, call.status]), [['update', 413], ['update', 200], ['post', 200]]);
      const [big, small] = made;
      assert.ok(cardBytes(small) < cardBytes(big), `shrunk ${cardBytes(small)} < ${cardBytes(big)} bytes`);
      assert.deepEqual(cardProblems(cardOf(small)), []);
      assert.equal(small?.activityId, card.id);
      assert.equal(repliesText(t, CHANNEL_ID, card.id ?? '').length, 1);
    });

    it('drops a delivery whose shrunk card is still too big, after exactly one smaller try', async () => {
      const t = (h = await startHarness());
      await watch(t, 'watch contoso');
      const { incidentId } = t.sim.scenario.step();
      await t.app.engine.sweepNow();
      t.sim.scenario.step();
      lengthenLatestMessage(t, incidentId);
      t.connector.fail({ kind: 'update', conversationId: CHANNEL_ID, status: 413, code: 'MessageSizeTooBig', times: 5 });
      const calls = t.connector.calls.length;

      const result = await t.app.engine.sweepNow();
      assert.deepEqual(result.delivery, { sent: 0, deferred: 0, dropped: 1 });
      assert.deepEqual(t.connector.calls.slice(calls).map((call) => [call.kind, call.status]), [['update', 413], ['update', 413]]);
      assert.deepEqual((await stateOnDisk(t)).outbox, []);
      assert.equal((await stateOnDisk(t)).targets[CHANNEL_ID]?.active, true, 'too big is not gone');
    });
  });

  describe('installation lifecycle', () => {
    it('deactivates on uninstall, reactivates with a welcome card on a new install, and deactivates a deleted team', async () => {
      const t = (h = await startHarness());
      const serviceUrl = t.connector.url;
      await install(t);
      assert.equal(t.app.store.read().targets[CHANNEL_ID]?.active, true);
      await watch(t, 'watch contoso');

      assert.equal((await sendToBot(t.app.url, installationUpdate('remove', { serviceUrl }))).status, 200);
      let disk = await stateOnDisk(t);
      assert.equal(disk.targets[CHANNEL_ID]?.active, false);
      assert.equal(disk.targets[CHANNEL_ID]?.inactiveReason, 'app uninstalled');
      const calls = t.connector.calls.length;
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
      assert.equal(t.connector.calls.length, calls, 'an uninstalled conversation hears nothing');

      await install(t);
      disk = await stateOnDisk(t);
      assert.equal(disk.targets[CHANNEL_ID]?.active, true);
      assert.equal(disk.targets[CHANNEL_ID]?.inactiveReason, null);
      assert.equal(t.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && isWelcome(call)).length, 2);

      // A second channel of the same team, then the team is deleted: both go.
      assert.equal(await t.say('watches', { channelId: OTHER_CHANNEL_ID }), 200);
      assert.equal(t.app.store.read().targets[OTHER_CHANNEL_ID]?.active, true);
      const base = installationUpdate('add', { serviceUrl });
      const teamDeleted = {
        ...base,
        type: 'conversationUpdate',
        action: undefined,
        conversation: { ...(base.conversation as object), id: TEAM_ID },
        channelData: { tenant: { id: TENANT }, team: { id: TEAM_ID, name: 'Support' }, eventType: 'teamDeleted' },
      };
      assert.equal((await sendToBot(t.app.url, teamDeleted)).status, 200);
      disk = await stateOnDisk(t);
      for (const key of [CHANNEL_ID, OTHER_CHANNEL_ID]) {
        assert.equal(disk.targets[key]?.active, false, key);
        assert.equal(disk.targets[key]?.inactiveReason, 'team deleted');
      }
      assert.deepEqual((await healthz(t)).targets, { active: 0, inactive: 2 });
    });
  });

  describe('watches', () => {
    it('follows a watched order to the end with a card per change, then drops the watch', async () => {
      const t = (h = await startHarness());
      await watch(t, `watch order ${CONTOSO_PENDING_ORDER} for contoso`);
      assert.equal(t.app.store.read().watches.filter((w) => w.kind === 'order').length, 1);
      const alerts = () =>
        t.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && /^Order /m.test(cardText(cardOf(call))));

      const seen: string[] = [];
      for (let step = 1; step <= 4; step++) {
        t.sim.scenario.step();
        const result = await t.app.engine.sweepNow();
        assert.equal(result.cycle.ordersFailed.length, 0);
        seen.push(...alerts().slice(seen.length).map((call) => cardText(cardOf(call))));
        assert.equal(seen.length, step - 1, `step ${step}: one card per line change, none at the first step`);
      }
      // The order id's "_" sits between letters, where markdown never reads it as italics: shown as it is.
      for (const text of seen) assert.ok(text.includes(CONTOSO_PENDING_ORDER), text);
      assert.match(seen[0] ?? '', /Order provisioning changed/);
      assert.equal((seen[0] ?? '').match(/Pending/g)?.length, 2, 'one of three lines fulfilled');
      assert.match(seen[1] ?? '', /Order provisioning changed/);
      assert.match(seen[2] ?? '', /Order fully provisioned/);
      assert.doesNotMatch(seen[2] ?? '', /Pending/);

      const disk = await stateOnDisk(t);
      assert.deepEqual(disk.watches, [], 'the order watch ended by itself');
      assert.deepEqual(t.app.store.read().watches, []);
      assert.deepEqual(disk.orderSnapshots, {});
      const calls = t.connector.calls.length;
      t.sim.scenario.step();
      await t.app.engine.sweepNow();
      assert.equal(t.connector.calls.length, calls);
    });

    it('honours severity and workload filters', async () => {
      const t = (h = await startHarness());
      await watch(t, 'watch fabrikam severity critical');
      await watch(t, 'watch contoso workloads teams');

      const warning = addIncident(t, 'Fabrikam', { id: 'EX990010', severity: 'warning', status: 'warning' });
      const quiet = await t.app.engine.sweepNow();
      assert.equal(quiet.cycle.events, 1, 'the warning incident was seen');
      assert.equal(quiet.cycle.deliveriesQueued, 0, 'but is below the watch’s minimum severity');
      assert.equal(incidentCards(t, warning.id).length, 0);

      // The scenario's critical Exchange incident hits both: Fabrikam's watch wants it, Contoso's (Teams only) not.
      const { incidentId } = t.sim.scenario.step();
      const critical = await t.app.engine.sweepNow();
      assert.equal(critical.delivery.sent, 1);
      const cards = incidentCards(t, incidentId);
      assert.equal(cards.length, 1);
      assert.match(cardText(cardOf(cards[0])), /Fabrikam/);
      assert.doesNotMatch(cardText(cardOf(cards[0])), /Contoso/);

      const teams = addIncident(t, 'Contoso', {
        id: 'TM990011',
        workload: 'Microsoft Teams',
        affectedWorkloadNames: ['Microsoft Teams'],
        severity: 'warning',
        status: 'warning',
      });
      const teamsResult = await t.app.engine.sweepNow();
      assert.equal(teamsResult.delivery.sent, 1);
      assert.equal(incidentCards(t, teams.id).length, 1);
      assert.match(cardText(cardOf(incidentCards(t, teams.id)[0])), /Contoso/);
    });
  });
});

/** Makes the incident's latest message long, so the card's default and shrunk renderings differ in size. */
function lengthenLatestMessage(h: Harness, incidentId: string): void {
  const incident = h.sim.data.incidentsOf(customerId(h, 'Contoso')).find((candidate) => candidate.id === incidentId);
  const latest = incident?.messages.at(-1);
  assert.ok(latest);
  latest.messageText += ` ${'Queued messages are being retried and delivered in order of arrival. '.repeat(40)}`;
}
