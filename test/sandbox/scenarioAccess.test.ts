// The scripted scenario's GDAP access in the first round: Contoso's only relationship (8 days, no
// auto-extend) crosses its 7-day mark at step 2, Northwind's loses its last group and a Tailspin approval
// turns out stuck for 9 days; Fabrikam's is terminated at step 3 and a new one is active at step 4. Later
// rounds leave GDAP alone. The terminal line says each change.
import assert from 'node:assert/strict';
import { createDataset } from '../../src/sandbox/dataset.js';
import { createScenario } from '../../src/sandbox/scenario.js';
import { SCENARIO_GDAP, SimGdap } from '../../src/sandbox/simGdap.js';

const DAY = 86_400_000;

describe('sandbox scenario: GDAP access', () => {
  it('changes each customer as the issue names, one step at a time, in the first round only', () => {
    const data = createDataset({ referenceTime: Date.parse('2026-11-01T12:00:00Z') });
    let now = Date.parse('2026-11-01T12:05:00Z');
    const gdap = new SimGdap(data, () => now);
    const scenario = createScenario(data, { now: () => new Date(now) }, gdap);
    const [contoso] = gdap.of(SCENARIO_GDAP.ending);
    assert.equal(gdap.of(SCENARIO_GDAP.ending).length, 1, 'Contoso has one relationship');
    assert.equal(Date.parse(contoso?.endDateTime ?? ''), now + 8 * DAY);
    assert.equal(contoso?.autoExtendDuration, 'PT0S');
    assert.match(contoso?.endDateTime ?? '', /\.\d{7}Z$/, "Graph's seven fractional digits");
    const [northwind] = gdap.of(SCENARIO_GDAP.unused);
    assert.equal(gdap.assignmentsOf(northwind?.id ?? '')?.length, 1);

    assert.deepEqual(scenario.step().access, [], 'step 1: the baseline is usually taken now');
    now += 60_000;
    const s2 = scenario.step();
    assert.equal(Date.parse(contoso?.endDateTime ?? ''), now + 7 * DAY);
    assert.deepEqual(gdap.assignmentsOf(northwind?.id ?? ''), []);
    const pending = gdap.of(SCENARIO_GDAP.stuck).find((r) => r.status === 'approvalPending');
    assert.equal(Date.parse(pending?.createdDateTime ?? ''), now - 9 * DAY);
    assert.equal(pending?.endDateTime, null);
    assert.match(s2.description, /Contoso's only GDAP relationship now ends in 7 days; Northwind Traders's GDAP relationship lost its last security group; a Tailspin Toys GDAP relationship has waited 9 days for approval/);

    now += 60_000;
    scenario.step();
    assert.deepEqual(gdap.of(SCENARIO_GDAP.terminated).map((r) => r.status), ['terminated', 'approved']);
    now += 60_000;
    const s4 = scenario.step();
    assert.deepEqual(gdap.of(SCENARIO_GDAP.terminated).map((r) => r.status), ['terminated', 'active']);
    assert.deepEqual(s4.access, ["Fabrikam's new GDAP relationship is active"]);

    for (let step = 0; step < 4; step++) assert.deepEqual(scenario.step().access, [], 'the next round leaves GDAP alone');
  });
});
