// Two real bot processes (dist/src/main.js, as `npm start` runs it) on one PostgreSQL database, behind one
// fake Bot Connector and one Partner Center simulator: they act as one bot, and kill -9 of either of them
// loses no alert. Cards are counted per incident per conversation from what the connector recorded (a card
// is a top-level post in the channel whose card names the incident; edits and thread replies are not).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sandbox/simulator.js';
import { CHANNEL_ID, installationUpdate, message, sendToBot } from '../support/activities.js';
import { activeIncident, isWelcome } from '../support/alertSteps.js';
import { cardOf, cardText, FakeConnector, type ConnectorCall } from '../support/fakeConnector.js';
import { claimsByInstance, killAndTimeFailover, startInstance, waitFor, type BotInstance, type InstanceHealth } from '../support/instances.js';
import { postgresForSuite, type PostgresServer } from '../support/postgres.js';

const LEASE_SECONDS = 5;
/** The lease runs out LEASE_SECONDS after the dead leader's last renewal; the next one looks within a renewal. */
const FAILOVER_BOUND_MS = (LEASE_SECONDS + 5) * 1000;

describe('two bot processes on one PostgreSQL database (end to end)', function () {
  let databaseUrl = '';
  let sim: Simulator | undefined;
  let connector: FakeConnector | undefined;
  let bots: BotInstance[] = [];

  let server: PostgresServer;
  before(async function () {
    server = await postgresForSuite(this);
  });
  beforeEach(async () => {
    databaseUrl = await server.createDatabase();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      for (const bot of bots) console.log(`\n--- output of instance ${bot.name} (pid ${bot.pid}) ---\n${bot.output() || '(nothing)'}`);
      const calls = connector?.calls ?? [];
      console.log(`\n--- what the connector recorded (${calls.length} calls) ---`);
      for (const call of calls) console.log(`${call.kind} ${call.status} ${call.conversationId}: ${textOf(call).replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    await Promise.all(bots.map((bot) => bot.stop(0)));
    bots = [];
    await connector?.close();
    await sim?.close();
    connector = undefined;
    sim = undefined;
  });

  /** The simulator and the connector in this process; the bots are started by `start`. */
  async function stack(simOptions: SimulatorOptions = {}): Promise<{ sim: Simulator; connector: FakeConnector }> {
    sim = await startSimulator(simOptions);
    connector = await new FakeConnector().start();
    return { sim, connector };
  }

  async function start(name: string, env: Record<string, string> = {}): Promise<BotInstance> {
    assert.ok(sim);
    const bot = await startInstance({ databaseUrl, sim, name, env: { LEASE_SECONDS: String(LEASE_SECONDS), ...env } });
    bots.push(bot);
    return bot;
  }

  /** A then B; A leads (it started first), B does not. */
  async function startPair(env: Record<string, string> = {}): Promise<[BotInstance, BotInstance]> {
    const a = await start('A', env);
    await waitFor(async () => (await a.health()).store.leading, 'A to lead');
    const b = await start('B', env);
    return [a, b];
  }

  /** Says `text` in a channel through `bot`; resolves with the text of the answer matching `expected`. */
  async function ask(bot: BotInstance, text: string, channelId: string, expected: RegExp): Promise<string> {
    const c = connector as FakeConnector;
    const before = c.calls.length;
    const answer = await sendToBot(bot.url, message(text, { serviceUrl: c.url, channelId }));
    assert.equal(answer.status, 200, `"${text}" through ${bot.name}`);
    let found = '';
    await c.waitFor((calls) =>
      calls.slice(before).some((call) => {
        const said = textOf(call);
        if (!call.conversationId.startsWith(channelId) || !expected.test(said)) return false;
        found = said;
        return true;
      }),
    );
    return found;
  }

  async function install(bot: BotInstance, channelId: string): Promise<void> {
    const c = connector as FakeConnector;
    const before = c.calls.length;
    const answer = await sendToBot(bot.url, installationUpdate('add', { serviceUrl: c.url, channelId }));
    assert.equal(answer.status, 200);
    await c.waitFor((calls) => calls.slice(before).some((call) => call.conversationId === channelId && isWelcome(call)));
  }

  /** Top-level posts in the channel whose card names the incident. */
  function cards(channelId: string, incidentId: string): ConnectorCall[] {
    return (connector as FakeConnector).ok('post').filter((call) => call.conversationId === channelId && cardText(cardOf(call)).includes(incidentId));
  }

  /** Round summaries ("Check finished: ...") posted in the channel, in the thread of the "poll now" that asked. */
  function summaries(channelId: string): number {
    const inChannel = (call: ConnectorCall) => call.conversationId.startsWith(`${channelId};messageid=`);
    return (connector as FakeConnector).ok('post').filter((call) => inChannel(call) && /^Check finished/.test(textOf(call))).length;
  }

  it('act as one bot: the first leads, commands on either see the same state, "poll now" on the follower runs on the leader, one card', async function () {
    this.timeout(45_000);
    const { sim } = await stack();
    // No fast lane to speak of (a day): the card can only come from the round "poll now" starts.
    const [a, b] = await startPair();
    const [healthA, healthB] = [await a.health(), await b.health()];
    assert.equal(healthA.store.backend, 'postgres');
    assert.equal(healthA.store.leading, true, 'the first to start leads');
    assert.equal(healthB.store.leading, false, 'the second does not');
    assert.notEqual(healthA.store.instance, healthB.store.instance);
    // Each sees the other (heartbeats come every renewal).
    await waitFor(async () => (await b.health()).store.others?.some((other) => other.instance === a.instance && other.leading), 'B to see A leading');
    await waitFor(async () => (await a.health()).store.others?.some((other) => other.instance === b.instance && !other.leading), 'A to see B');

    await install(b, CHANNEL_ID);
    await ask(a, 'watch contoso', CHANNEL_ID, /now watches Contoso/);
    const watches = await ask(b, 'watches', CHANNEL_ID, /Contoso/);
    assert.match(watches, /Contoso/, 'B lists the watch made through A');

    const { incidentId } = sim.scenario.step();
    await ask(b, 'poll now', CHANNEL_ID, /^Checking 1 customer/);
    await (connector as FakeConnector).waitFor(() => cards(CHANNEL_ID, incidentId).length >= 1 && summaries(CHANNEL_ID) >= 1, 15_000);

    // Only the lease holder's sweep commits are accepted (fenced), so a finished round is the leader's.
    const [afterA, afterB] = [await a.health(), await b.health()];
    assert.equal(afterA.store.leading, true);
    assert.equal(afterB.store.leading, false, 'the follower never led');
    assert.equal(afterA.sweep.lastRound?.customersFetched, 1, 'the round checked Contoso');
    assert.equal(afterA.sweep.lastRound?.deliveriesQueued, 1, 'and found the incident');
    await sleep(1_500); // a second card would come now
    assert.equal(cards(CHANNEL_ID, incidentId).length, 1, 'the card is posted exactly once');
    assert.equal(summaries(CHANNEL_ID), 1, 'one summary');
  });

  it('kill -9 of the leader mid-sweep: the other takes the lease, resumes the round, every card arrives once', async function () {
    this.timeout(60_000);
    // Slow Partner Center and a budget of 300 requests a minute (about 5 a second): a round of the simulator's
    // customers takes several seconds, and its progress moves in small commits.
    const { sim } = await stack({ latencyMs: 150 });
    const [a, b] = await startPair({ PARTNER_CENTER_REQUESTS_PER_MINUTE: '300' });
    const channels = [CHANNEL_ID, '19:sweep-two@thread.tacv2', '19:sweep-three@thread.tacv2'];
    for (const [i, channel] of channels.entries()) {
      await install(i % 2 ? a : b, channel);
      await ask(i % 2 ? b : a, 'watch all', channel, /now watches/);
    }
    // The first round is every customer's baseline: no alerts.
    await ask(b, 'poll now', CHANNEL_ID, /^Checking/);
    await (connector as FakeConnector).waitFor(() => summaries(CHANNEL_ID) === 1, 30_000);

    // New incidents for every third customer in the round's order (so some come before the kill and some
    // after), and the scenario's incident, which four customers share.
    const ordered = [...sim.data.customers].filter((customer) => !customer.noRelationship).sort((x, y) => (x.id < y.id ? -1 : 1));
    const added = ordered.filter((_, i) => i % 3 === 1).map((customer, i) => addIncident(sim, customer.id, `EX95${String(i).padStart(4, '0')}`));
    const expected = [...added, sim.scenario.step().incidentId];

    await ask(b, 'poll now', CHANNEL_ID, /^Checking/);
    const leaderAtKill = await waitFor(
      async () => {
        const health = await a.health();
        const round = health.sweep.round;
        return round && round.done >= 6 && round.done <= round.total - 8 ? { round, token: health.store.token ?? 0 } : null;
      },
      'the round to be under way on A',
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    const atKill = leaderAtKill.round;
    // In flight at the kill: a conversation A was delivering to (its claim), or a post on the wire.
    const claimedByA = (await claimsByInstance(databaseUrl, [a, b], channels)).A?.targetKeys ?? [];
    const inFlightAtKill = new Set([...claimedByA, ...(connector as FakeConnector).pending.map((request) => request.conversationId)]);
    const cardsBefore = channels.reduce((sum, channel) => sum + expected.filter((id) => cards(channel, id).length > 0).length, 0);
    const { failoverMs, newLeader } = await killAndTimeFailover(a, [b]);
    console.log(`      killed the leader at ${atKill.done}/${atKill.total} of the round; B led ${failoverMs} ms later (bound ${FAILOVER_BOUND_MS} ms)`);
    assert.equal(newLeader, b);
    assert.ok(failoverMs <= FAILOVER_BOUND_MS, `failover took ${failoverMs} ms (bound ${FAILOVER_BOUND_MS} ms)`);
    assert.equal((await a.exited).signal, 'SIGKILL');

    // B leads with the next fencing token, resumes the same round (same id) and finishes it.
    const done = await healthOf(
      b,
      (health) => health.sweep.round === null && health.sweep.lastRound?.correlationId === atKill.id,
      'B to finish the interrupted round',
      30_000,
    );
    assert.equal(done.sweep.lastRound?.startedAt, atKill.startedAt, 'the same round, resumed');
    assert.ok((done.store.token ?? 0) > leaderAtKill.token, `B's fencing token ${done.store.token} is above A's ${leaderAtKill.token}`);
    const c = connector as FakeConnector;
    const missing = () => channels.flatMap((channel) => expected.filter((id) => cards(channel, id).length === 0).map((id) => `${id} in ${channel}`));
    await c
      .waitFor(() => missing().length === 0 && summaries(CHANNEL_ID) === 2, 15_000)
      .catch(() => assert.fail(`lost: ${missing().join(', ') || 'none'}; round summaries in ${CHANNEL_ID}: ${summaries(CHANNEL_ID)} of 2`));
    await sleep(1_500); // a late duplicate would come now

    const counts = channels.map((channel) => expected.map((id) => cards(channel, id).length));
    const total = counts.flat().reduce((sum, n) => sum + n, 0);
    console.log(`      ${channels.length} conversations × ${expected.length} incidents: ${total} cards (${cardsBefore} before the kill), in flight at the kill: ${inFlightAtKill.size}`);
    for (const [row, channel] of channels.entries()) {
      for (const [i, id] of expected.entries()) {
        const n = counts[row]?.[i] ?? 0;
        assert.ok(n >= 1, `${id} in ${channel}: lost (no card)`);
        // The kill came while fetching: only a post in flight at that moment could have been repeated.
        assert.ok(n === 1 || (n === 2 && inFlightAtKill.has(channel)), `${id} in ${channel}: ${n} cards`);
      }
    }
    // At most one delivery per conversation is on its way at any time: at most one repeat per conversation.
    for (const [row, channel] of channels.entries()) assert.ok((counts[row] ?? []).reduce((sum, n) => sum + n - 1, 0) <= 1, `${channel}: ${JSON.stringify(counts[row])}`);
  });

  it('kill -9 of the instance delivering mid-fan-out: every conversation gets its card, repeats only for sends in flight', async function () {
    this.timeout(60_000);
    const { sim } = await stack();
    // A short fast lane (6 s), so the card is found whether the "poll now" round or the fast lane sees it first
    // (see the first test): what is tested here is its fan-out.
    const [a, b] = await startPair({ FAST_LANE_MINUTES: '0.1' });
    const channels = Array.from({ length: 12 }, (_, i) => `19:fanout-${String(i).padStart(2, '0')}@thread.tacv2`);
    for (const [i, channel] of channels.entries()) {
      await install(i % 2 ? a : b, channel);
      await ask(i % 2 ? b : a, 'watch contoso', channel, /now watches Contoso/);
    }
    const c = connector as FakeConnector;
    // A slow Teams: each post to the first conversation takes 300 ms, to the second 600 ms, ... so the fan-out
    // lasts seconds and can be caught with some conversations served and others not.
    c.latencyMs = (request) => {
      const index = channels.indexOf(request.conversationId);
      return request.kind === 'post' && index >= 0 ? 300 * (index + 1) : 0;
    };

    // Two new incidents for Contoso, found by the same fetch: every conversation has two cards queued, in
    // order, so at the kill some conversations have one on the wire and the next one still waiting behind it.
    const incidents = [sim.scenario.step().incidentId, addIncident(sim, customerIdOf(sim, 'Contoso'), 'EX960001')];
    await ask(b, 'poll now', channels[0] ?? '', /^Checking 1 customer/);
    const got = (channel: string) => incidents.filter((id) => cards(channel, id).length > 0).length;
    const served = () => channels.filter((channel) => got(channel) === incidents.length).length;
    await c.waitFor(() => served() >= 3, 20_000);
    // Who leads, asked first, so that nothing but the kill comes between reading the claims and the kill.
    const leads = { [a.name]: (await a.health()).store.leading, [b.name]: (await b.health()).store.leading };
    // Who is delivering: the conversation claims each instance holds (outbox rows), read just before the kill.
    const claims = await claimsByInstance(databaseUrl, [a, b], channels);
    const servedBefore = served();
    const cardsBefore = channels.reduce((sum, channel) => sum + got(channel), 0);
    const postsOnTheWire = c.pending.filter((request) => request.kind === 'post').length;
    const victim = (claims.B?.count ?? 0) > (claims.A?.count ?? 0) ? b : a;
    const survivor = victim === a ? b : a;
    // In flight at the kill: the conversations the killed instance was delivering to (sent or being sent,
    // not yet recorded). The documented window: at most one repeat for each of them.
    const inFlightAtKill = new Set(claims[victim.name]?.targetKeys ?? []);
    const claimsOfVictim = inFlightAtKill.size;
    const victimLed = leads[victim.name] === true;
    let failover = '';
    if (victimLed) {
      const { failoverMs, newLeader } = await killAndTimeFailover(victim, [survivor]);
      assert.equal(newLeader, survivor);
      assert.ok(failoverMs <= FAILOVER_BOUND_MS, `failover took ${failoverMs} ms (bound ${FAILOVER_BOUND_MS} ms)`);
      failover = `; ${survivor.name} led ${failoverMs} ms later`;
    } else {
      victim.kill('SIGKILL');
    }
    await victim.exited;
    console.log(
      `      claims at the kill: A ${claims.A?.count ?? 0}, B ${claims.B?.count ?? 0}; killed ${victim.name} (${victimLed ? 'the leader' : 'a follower'}) with ` +
        `${servedBefore}/${channels.length} conversations fully served (${cardsBefore}/${channels.length * incidents.length} cards) and ${postsOnTheWire} posts on the wire${failover}`,
    );
    assert.ok(servedBefore < channels.length, 'the kill came before the fan-out ended');
    assert.ok(claimsOfVictim > 0, 'the killed instance was delivering');

    // None lost: every conversation ends up with both cards (the survivor delivers what the dead one held),
    // and nothing stays queued.
    const missing = () => channels.flatMap((channel) => incidents.filter((id) => cards(channel, id).length === 0).map((id) => `${id} in ${channel.slice(3, 12)}`));
    try {
      await c.waitFor(() => missing().length === 0, 20_000);
      await healthOf(survivor, (health) => health.deliveries.pending === 0 && c.pending.length === 0, `${survivor.name} to deliver everything queued`, 15_000);
    } catch (error) {
      const health = await survivor.health();
      assert.fail(
        `${missing().length > 0 ? `lost: ${missing().join(', ')}` : (error as Error).message}. ${survivor.name} has ${health.deliveries.pending} deliveries ` +
          `pending: ${JSON.stringify(health.deliveries.byConversation)}`,
      );
    }
    await sleep(1_000); // a late duplicate would come now

    const perConversation = channels.map((channel) => incidents.map((id) => cards(channel, id).length));
    const repeats = perConversation.map((counts) => counts.reduce((sum, n) => sum + n - 1, 0));
    const repeated = channels.filter((_, i) => (repeats[i] ?? 0) > 0);
    console.log(
      `      ${channels.length} conversations, ${perConversation.flat().reduce((sum, n) => sum + n, 0)} cards for ${channels.length * incidents.length} alerts, ` +
        `${repeated.length} conversations got one twice (in flight at the kill: ${claimsOfVictim} conversations claimed by ${victim.name})`,
    );
    assert.ok(repeats.every((n) => n <= 1), `at most one repeat per conversation: ${JSON.stringify(perConversation)}`);
    assert.ok(repeated.length <= claimsOfVictim, `${repeated.length} conversations got a card twice, but ${victim.name} was serving ${claimsOfVictim}`);
    for (const channel of repeated) assert.ok(inFlightAtKill.has(channel), `${channel} got a card twice though ${victim.name} was not delivering to it at the kill`);
  });
});

function customerIdOf(sim: Simulator, name: string): string {
  const customer = sim.data.customers.find((candidate) => candidate.companyName === name);
  assert.ok(customer, `the simulator knows ${name}`);
  return customer.id;
}

/** Polls the instance's /healthz until `ok` holds; the error shows the last report's sweep and deliveries. */
async function healthOf(bot: BotInstance, ok: (health: InstanceHealth) => boolean, what: string, timeoutMs: number): Promise<InstanceHealth> {
  let last: InstanceHealth | null = null;
  try {
    return await waitFor(async () => {
      last = await bot.health();
      return ok(last) ? last : null;
    }, what, { timeoutMs, intervalMs: 100 });
  } catch (error) {
    const seen = last as InstanceHealth | null;
    throw new Error(`${(error as Error).message}; last /healthz of ${bot.name}: ${JSON.stringify(seen && { store: seen.store, sweep: seen.sweep, deliveries: seen.deliveries })}`);
  }
}

/** A new active incident in one customer's list (the simulator reports it from the next fetch on). */
function addIncident(sim: Simulator, customerId: string, id: string): string {
  sim.data.incidentsOf(customerId).push(activeIncident({ id }));
  return id;
}

function textOf(call: ConnectorCall): string {
  const card = cardOf(call);
  return card ? cardText(card) : String(call.activity.text ?? '');
}
