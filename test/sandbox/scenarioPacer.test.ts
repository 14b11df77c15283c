// The sandbox's scripted scenario waits for the first watch (or "poll now"), says so in the terminal when it
// starts, and its first step is then the incident's "New" card in the watching conversation.
import assert from 'node:assert/strict';
import { pacerQuestions, ScenarioPacer } from '../../src/sandbox/scenarioPacer.js';
import { incidentCards, install, watch } from '../support/alertSteps.js';
import { startHarness, type Harness } from '../support/harness.js';

const HOUR = 3_600_000;

describe('the sandbox scenario\'s start', () => {
  let h: Harness | undefined;
  let pacer: ScenarioPacer | undefined;
  afterEach(async () => {
    pacer?.stop();
    await h?.close();
    h = pacer = undefined;
  });

  /** A pacer that only looks when the test says (check()), stepping at most once an hour by itself. */
  const pacerOf = (t: Harness, lines: string[]) =>
    new ScenarioPacer({ scenario: t.sim.scenario, stepMs: 60_000, checkMs: HOUR, asks: pacerQuestions(t.app.store.ports), say: (line) => lines.push(line) });

  it('waits at launch, starts at the first watch with a line in the terminal, and its first step is a New card there', async () => {
    const t = (h = await startHarness());
    const lines: string[] = [];
    pacer = pacerOf(t, lines);
    pacer.start();
    assert.equal(pacer.check(), false);
    await install(t);
    await t.say('status for contoso');
    assert.equal(pacer.check(), false, 'a question is not a watch');
    assert.equal(t.sim.scenario.history.length, 0, 'no step before anything is watched');

    await watch(t, 'watch contoso');
    assert.equal(pacer.check(), true);
    assert.equal(lines[0], '  [simulator] The scripted scenario starts now (the first watch): a step every 60 seconds.');
    assert.equal(t.sim.scenario.history.length, 1, 'the first step at once');
    assert.match(lines[1] ?? '', /^ {2}\[simulator\] Step 1\/4: opened critical incident /);
    await t.app.engine.sweepNow();
    assert.equal(incidentCards(t, t.sim.scenario.history[0]!.incidentId).length, 1, 'the incident\'s New card');
    assert.equal(pacer.check(), true);
    assert.equal(t.sim.scenario.history.length, 1, 'started once');
  });

  it('starts at once when the sandbox kept its watches from the last run, and on a "poll now"', () => {
    const step = () => ({ description: 'Step 1/4: opened.' });
    const kept: string[] = [];
    const restarted = new ScenarioPacer({ scenario: { step }, stepMs: 60_000, checkMs: HOUR, asks: { watching: () => true, pollAsked: () => false }, say: (line) => kept.push(line) });
    restarted.start();
    restarted.stop();
    assert.equal(kept[0], '  [simulator] The scripted scenario starts now (this sandbox kept its watches from the last run): a step every 60 seconds.');

    let asked = false;
    const polled: string[] = [];
    const pacer = new ScenarioPacer({ scenario: { step }, stepMs: 1_000, checkMs: HOUR, asks: { watching: () => false, pollAsked: () => asked }, say: (line) => polled.push(line) });
    assert.equal(pacer.check(), false);
    asked = true;
    assert.equal(pacer.check(), true);
    pacer.stop();
    assert.deepEqual(polled, ['  [simulator] The scripted scenario starts now ("poll now"): a step every 1 second.', '  [simulator] Step 1/4: opened.']);
  });
});
