// PostgreSQL restarted under two real bot processes, as an operator's restart or a managed database's
// failover does: the server is shut down for 20 s while the bots sweep and people talk to them, then started
// again on the same data. No process exits, both recover by themselves within seconds, a command that must
// write is told in one sentence that the database cannot be reached, no alert is lost, and the outage is
// logged as a few warn lines, not as an error with a stack per batch or per claim.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { CHANNEL_ID, installationUpdate, message, sendToBot } from '../support/activities.js';
import { isWelcome } from '../support/alertSteps.js';
import { cardOf, cardText, FakeConnector, type ConnectorCall } from '../support/fakeConnector.js';
import { startInstance, waitFor, type BotInstance } from '../support/instances.js';
import { privatePostgresForSuite, type PostgresServer } from '../support/postgres.js';

const OUTAGE_MS = 20_000;
/** The longest any request may wait during the outage. */
const ANSWER_BOUND_MS = 20_000;
const OTHER_CHANNEL = '19:all-customers@thread.tacv2';
/** How soon after the database is back each instance must work again. */
const RECOVERY_BOUND_MS = 15_000;

describe('PostgreSQL restarted under two bot processes (end to end)', function () {
  let server: PostgresServer | null = null;
  let sim: Simulator | undefined;
  let connector: FakeConnector | undefined;
  let bots: BotInstance[] = [];

  before(async function () {
    server = await privatePostgresForSuite(this);
  });
  after(async () => server?.stop());

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      for (const bot of bots) console.log(`\n--- output of instance ${bot.name} (pid ${bot.pid}) ---\n${bot.output() || '(nothing)'}`);
      for (const call of connector?.calls ?? []) console.log(`${call.kind} ${call.status} ${call.conversationId}: ${textOf(call).replace(/\s+/g, ' ').slice(0, 160)}`);
    }
    await Promise.all(bots.map((bot) => bot.stop(0)));
    bots = [];
    await connector?.close();
    await sim?.close();
  });

  /** Says `text` in the channel through `bot`; the text of the first answer after it, and how long it took. */
  async function ask(bot: BotInstance, text: string, expected: RegExp, timeoutMs = ANSWER_BOUND_MS): Promise<{ said: string; ms: number }> {
    const c = connector as FakeConnector;
    const before = c.calls.length;
    const started = Date.now();
    const answer = await sendToBot(bot.url, message(text, { serviceUrl: c.url, channelId: CHANNEL_ID }));
    assert.equal(answer.status, 200, `"${text}" through ${bot.name}`);
    let said = '';
    await c
      .waitFor(
        (calls) =>
          calls.slice(before).some((call) => {
            const candidate = textOf(call);
            if (!call.conversationId.startsWith(CHANNEL_ID) || !expected.test(candidate)) return false;
            said = candidate;
            return true;
          }),
        timeoutMs,
      )
      .catch(() => {
        const after = c.calls.slice(before).map(textOf);
        assert.fail(`"${text}" through ${bot.name}: no answer matching ${expected} within ${timeoutMs / 1000} s; it said: ${JSON.stringify(after)}`);
      });
    return { said, ms: Date.now() - started };
  }

  function incidentCards(incidentId: string): ConnectorCall[] {
    return (connector as FakeConnector).ok('post').filter((call) => call.conversationId === CHANNEL_ID && cardText(cardOf(call)).includes(incidentId));
  }

  it('survives a 20 s outage: no exit, a clear sentence meanwhile, recovery within seconds, no alert lost, a few warn lines', async function () {
    this.timeout(120_000);
    const pg = server as PostgresServer;
    const databaseUrl = await pg.createDatabase();
    sim = await startSimulator({});
    connector = await new FakeConnector().start();
    // Under load: a round every 2 s over every customer (a second channel watches all), and Contoso, watched
    // one by one, in the fast lane every 6 s, so commits, claims and renewals are in flight at the restart.
    const env = { LEASE_SECONDS: '5', FAST_LANE_MINUTES: '0.1', POLL_SCHEDULE: '*/2 * * * * *', LOG_LEVEL: 'warn' };
    const a = await startInstance({ databaseUrl, sim, name: 'A', env });
    bots.push(a);
    await waitFor(async () => (await a.health()).store.leading, 'A to lead');
    const b = await startInstance({ databaseUrl, sim, name: 'B', env });
    bots.push(b);

    const c = connector;
    const installed = await sendToBot(b.url, installationUpdate('add', { serviceUrl: c.url, channelId: CHANNEL_ID }));
    assert.equal(installed.status, 200);
    await c.waitFor((calls) => calls.some((call) => call.conversationId === CHANNEL_ID && isWelcome(call)));
    await ask(a, 'watch contoso', /now watches Contoso/);
    const everyone = await sendToBot(a.url, message('watch all', { serviceUrl: c.url, channelId: OTHER_CHANNEL }));
    assert.equal(everyone.status, 200);
    await waitFor(async () => ((await b.health()).sweep.lastRound?.customersFetched ?? 0) > 1, 'a round over every customer');

    const logStart = bots.map((bot) => bot.output().length);
    await pg.halt();
    const haltedAt = Date.now();
    // The incident starts while the database is down: the sweep must find and deliver it once it is back.
    const { incidentId } = sim.scenario.step();
    await sleep(2_000);

    // A command that must write gets one sentence naming the database, on either instance, well within 20 s.
    for (const bot of [a, b]) {
      const { said, ms } = await ask(bot, 'watch fabrikam', /database|watch/i);
      assert.match(said, /can.t reach (my|the) database/i, `${bot.name} during the outage: "${said}"`);
      assert.doesNotMatch(said, /Something went wrong|at \w+ \(|Error:/, `${bot.name} shows no internal failure: "${said}"`);
      assert.ok(ms <= ANSWER_BOUND_MS, `${bot.name} answered after ${ms} ms`);
    }
    for (const bot of [a, b]) assert.ok(bot.running, `${bot.name} is still running during the outage`);

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - haltedAt)));
    await pg.resume();
    const resumedAt = Date.now();

    // Each instance works again without a restart: a write through each, then the watch is seen by both.
    for (const bot of [a, b]) {
      await waitFor(
        async () => {
          const { said } = await ask(bot, bot === a ? 'watch fabrikam' : 'watch northwind', /watch|database/i, 5_000);
          return /now watches/i.test(said);
        },
        `${bot.name} to write again after the database came back`,
        { timeoutMs: RECOVERY_BOUND_MS, intervalMs: 500 },
      );
    }
    const recoveredMs = Date.now() - resumedAt;
    const { said: listed } = await ask(b, 'watches', /Contoso/);
    assert.match(listed, /Fabrikam/);
    assert.match(listed, /Northwind/);
    await waitFor(async () => (await a.health()).store.leading || (await b.health()).store.leading, 'an instance to lead again', { timeoutMs: RECOVERY_BOUND_MS });

    // The incident that started during the outage arrives, exactly once.
    await c.waitFor(() => incidentCards(incidentId).length >= 1, 30_000);
    await sleep(1_500);
    assert.equal(incidentCards(incidentId).length, 1, 'the incident card is posted exactly once');

    for (const bot of [a, b]) assert.ok(bot.running, `${bot.name} is still running`);
    const lines = bots.map((bot, i) => logLines(bot.output().slice(logStart[i])));
    for (const [i, bot] of bots.entries()) {
      const entries = lines[i] ?? [];
      const loud = entries.filter((entry) => entry.level >= 40);
      console.log(`      ${bot.name}: ${loud.length} warn or error lines from the outage on; recovered ${recoveredMs} ms after the restart`);
      assert.deepEqual(entries.filter((entry) => entry.level >= 50).map((entry) => entry.msg), [], `${bot.name} logs no error line for the outage`);
      assert.deepEqual(loud.filter((entry) => entry.stack).map((entry) => entry.msg), [], `${bot.name} logs no stack for the outage`);
      assert.ok(loud.some((entry) => /lost the connection to PostgreSQL/.test(entry.msg)), `${bot.name} says the database was lost`);
      assert.ok(loud.some((entry) => /PostgreSQL is reachable again/.test(entry.msg)), `${bot.name} says the database is back`);
      assert.ok(loud.length <= 8, `${bot.name} logs the outage in a few lines, not one per batch, claim or turn: ${loud.map((entry) => entry.msg).join(' | ')}`);
    }
  });
});

/** The pino JSON lines of a process's output (stdout; anything else is ignored). */
function logLines(output: string): { level: number; msg: string; stack: boolean }[] {
  return output.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string };
      return typeof entry.level === 'number' ? [{ level: entry.level, msg: entry.msg ?? '', stack: line.includes('"stack"') }] : [];
    } catch {
      return [];
    }
  });
}

function textOf(call: ConnectorCall): string {
  const card = cardOf(call);
  return card ? cardText(card) : String(call.activity.text ?? '');
}
