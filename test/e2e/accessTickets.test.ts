// Access problems reach the PSA and the webhook under the customer as Partner Center knows it, end to end
// over real HTTP (simulator playing Partner Center and Microsoft Graph, app, fake Bot Connector, the
// simulator's PSA fake, a webhook receiver): Northwind's relationship nobody can use opens a ticket under
// the PSA company found by its domain alone (the company's name is another), although Graph spells the
// tenant's name differently; no "has no PSA company" notice is said; and the webhook body carries
// Partner Center's name and domain.
import assert from 'node:assert/strict';
import { SCENARIO_GDAP } from '../../src/sandbox/simGdap.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import type { TicketDestination } from '../../src/tickets/ticketDestination.js';
import { customerId, install, watch } from '../support/alertSteps.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startReceiver, type TestReceiver } from '../support/webhookReceiver.js';
import { autotaskSettings, connectWiseSettings, VENDORS } from '../tickets/support.js';

/** Northwind's PSA company: its web address is the customer's domain, its name is not the customer's. */
const NORTHWIND_COMPANY = { id: 300, name: 'Northwind Traders Ltd.', webAddress: 'https://www.northwindtraders.com/' };
/** A company of the same name as Graph's spelling, which a match by Graph's name would wrongly pick. */
const DECOY_COMPANY = { id: 301, name: 'NWT Holdings', webAddress: null };
/** How Graph names the tenant (the tenant's own display name), not as the partner's customer list does. */
const GRAPH_NAME = 'NWT Holdings';
/** Contoso's access warning (7 days left) needs a company too, found by name as before. */
const CONTOSO_COMPANY = { id: 302, name: 'Contoso', webAddress: null };

for (const vendor of VENDORS) {
  describe(`access tickets under the directory's customer (${vendor})`, () => {
    let h: Harness | undefined;
    let psa: Simulator | undefined;
    let receiver: TestReceiver | undefined;
    afterEach(async () => {
      await h?.close();
      await psa?.close();
      await receiver?.close();
      h = psa = receiver = undefined;
    });

    it('opens the ticket under the company matched by domain only, and the webhook body has the domain', async () => {
      psa = await startSimulator({ psa: { companies: [NORTHWIND_COMPANY, DECOY_COMPANY, CONTOSO_COMPANY] } });
      receiver = await startReceiver();
      const tickets = {
        psa: vendor === 'autotask' ? autotaskSettings(psa) : connectWiseSettings(psa),
        minSeverity: 'warning' as const,
        sources: ['access'],
        defaultCompanyId: null,
        requestsPerMinute: 6_000,
      };
      const t = (h = await startHarness({ config: { tickets, webhooks: { urls: [receiver.url], secret: 'access-secret' }, gdapPollMinutes: 0 } }));
      for (const relationship of t.sim.gdap.of(SCENARIO_GDAP.unused)) relationship.customer.displayName = GRAPH_NAME;
      await install(t);
      await watch(t, 'watch access all');
      await t.app.engine.sweepNow(); // the baseline
      for (let step = 0; step < 2; step++) {
        t.sim.scenario.step(); // the second step leaves Northwind's relationship without a group: a warning
        await t.app.engine.sweepNow();
        await t.app.outbound.settle();
        await (t.app.outbound.destinations.find((d) => d.name === 'tickets') as TicketDestination).numbers.settle();
      }
      await t.app.delivery.deliverPending();

      const northwind = customerId(t, SCENARIO_GDAP.unused);
      const made = psa.psa.tickets.filter((ticket) => ticket.psa === vendor).map((ticket) => [ticket.companyId, ticket.title]);
      assert.deepEqual(
        made.sort(),
        [
          [NORTHWIND_COMPANY.id, 'Northwind Traders · GDAP access'],
          [CONTOSO_COMPANY.id, 'Contoso · GDAP access'],
        ],
        'Northwind’s ticket under the company whose web address is its domain, named as Partner Center names it',
      );
      const unmapped = t.connector.calls.filter((call) => /has no PSA company/.test(call.activity.text ?? ''));
      assert.deepEqual(unmapped.map((call) => call.activity.text), [], 'no customer is said to lack a PSA company');

      const bodies = receiver.received.map((request) => request.json as { type: string; customer: { tenantId: string; name: string; domain: string | null } });
      const northwindBodies = bodies.filter((body) => body.customer.tenantId === northwind);
      assert.deepEqual(
        northwindBodies.map((body) => [body.type, body.customer]),
        [['access.unused', { tenantId: northwind, name: 'Northwind Traders', domain: 'northwindtraders.com' }]],
      );
      const contoso = bodies.find((body) => body.customer.tenantId === customerId(t, SCENARIO_GDAP.ending));
      assert.deepEqual(contoso?.customer.domain, t.sim.data.customerNamed(SCENARIO_GDAP.ending)?.domain, 'every access body has its domain');
    });
  });
}
