// One story with Partner Center's 403s, end to end: when Partner Center starts refusing a watched customer,
// the access notice says why from the GDAP listing — its last relationship was terminated — or, when the
// relationships look fine, names the roles Partner Center needs. Without a listing it says what it always did.
import assert from 'node:assert/strict';
import { SCENARIO_GDAP } from '../../src/sandbox/simGdap.js';
import { CHANNEL_ID } from '../support/activities.js';
import { startHarness, type Harness } from '../support/harness.js';
import { install, watch } from '../support/alertSteps.js';

function refusalNotices(h: Harness): string[] {
  return h.connector.ok('post').filter((call) => call.conversationId === CHANNEL_ID && /^Partner Center refused access to/.test(String(call.activity.text))).map((call) => String(call.activity.text));
}

function refuse(h: Harness, name: string): void {
  const customer = h.sim.data.customerNamed(name);
  assert.ok(customer);
  customer.noRelationship = true;
}

describe('Partner Center 403s explained by GDAP, end to end', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('names the terminated relationship, or says the relationships look fine and names the roles Partner Center needs', async () => {
    const t = (h = await startHarness({ config: { gdapPollMinutes: 0 } }));
    await install(t);
    await watch(t, 'watch access all');
    await watch(t, 'watch fabrikam');
    await watch(t, 'watch contoso');
    await t.app.engine.sweepNow();
    for (let step = 0; step < 3; step++) t.sim.scenario.step(); // … Fabrikam's relationship is terminated
    await t.app.engine.sweepNow(); // the listing finds it (and the lost card goes out)
    refuse(t, SCENARIO_GDAP.terminated);
    refuse(t, SCENARIO_GDAP.ending);
    await t.app.engine.sweepNow();
    const notices = refusalNotices(t);
    const fabrikam = notices.find((text) => text.includes('to Fabrikam'));
    assert.match(fabrikam ?? '', /^Partner Center refused access to Fabrikam since \d\d:\d\d UTC: Fabrikam's last GDAP relationship “Fabrikam support” was terminated on \d{1,2} [A-Z][a-z]{2}\. Its alerts resume when access returns\.$/);
    const contoso = notices.find((text) => text.includes('to Contoso'));
    assert.match(contoso ?? '', /Contoso's GDAP relationships look fine \(active, with Service Support Administrator, Global Reader, Helpdesk Administrator\): check that a security group holding one of the roles Partner Center needs \(Service Support Administrator, Global Reader or Helpdesk Administrator\) includes the app's user\./);
  });

  it('without a GDAP listing the notice is the one it always was', async () => {
    const t = (h = await startHarness());
    await install(t);
    await watch(t, 'watch fabrikam');
    refuse(t, 'Fabrikam');
    await t.app.engine.sweepNow();
    assert.match(refusalNotices(t)[0] ?? '', /refused access to Fabrikam since \d\d:\d\d UTC: check the partner's GDAP roles and relationship for this customer\./);
  });
});
