// The ticket destination against each PSA fake over HTTP, with a real state file: one ticket per episode per
// customer, notes, completion, a returning incident, exactly once across a crash, company mapping, faults;
// and access episodes, as the access source makes their alert events.
import assert from 'node:assert/strict';
import type { Simulator } from '../../src/sandbox/simulator.js';
import type { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { TicketDestination } from '../../src/tickets/ticketDestination.js';
import type { AccessEvent } from '../../src/sources/access/model.js';
import { alertEventOf } from '../../src/sources/access/routing.js';
import { COMPLETE_STATUS, connectorFor, incidentEvent, openTestStore, startPsaSimulator, VENDORS, type Vendor } from './support.js';

const SIGNAL = new AbortController().signal;

for (const vendor of VENDORS) {
  describe(`ticket destination (${vendor})`, () => {
    let sim: Simulator;
    let store: LowdbStateStore;
    const destination = (options: { wrongSecret?: boolean; defaultCompanyId?: number | null } = {}) =>
      new TicketDestination({
        connector: connectorFor(vendor, sim, options),
        store,
        settings: { minSeverity: 'critical', sources: ['incidents', 'subscriptions', 'access', 'provisioning'], defaultCompanyId: options.defaultCompanyId ?? null },
      });
    const ticketsOf = (v: Vendor) => sim.psa.tickets.filter((t) => t.psa === v);
    const companyOf = (name: string) => sim.psa.companies.find((c) => c.name === name)!;

    beforeEach(async () => {
      sim = await startPsaSimulator();
      store = await openTestStore();
    });
    afterEach(async () => {
      await store.close();
      await sim.close();
    });

    it('opens one ticket for the episode under the customer\'s company, notes each change, and completes it on resolution', async () => {
      const tickets = destination();
      assert.deepEqual(await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL), { kind: 'done' });
      assert.deepEqual(await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'updated', { text: 'Mail flows again for some.' }), SIGNAL), { kind: 'done' });
      assert.deepEqual(await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'resolved', { text: 'Fixed.' }), SIGNAL), { kind: 'done' });
      // The resolution delivered again (its "done" lost to a crash) adds nothing.
      assert.deepEqual(await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'resolved', { text: 'Fixed.' }), SIGNAL), { kind: 'done' });
      await tickets.numbers.settle();
      const [ticket, ...more] = ticketsOf(vendor);
      assert.equal(more.length, 0);
      assert.equal(ticket!.companyId, companyOf('Contoso').id);
      assert.match(ticket!.title, /EX123456/);
      assert.deepEqual(ticket!.notes.map((n) => n.title), ['Update: EX123456 · Users can\'t send mail (Exchange Online)', 'Resolved: EX123456 · Users can\'t send mail (Exchange Online)']);
      assert.match(ticket!.notes[0]!.text, /Mail flows again for some\./);
      assert.equal(ticket!.status, COMPLETE_STATUS[vendor]);
      const record = Object.values(store.read().tickets)[0]!;
      assert.deepEqual([record.state, record.ticketId, record.number], ['complete', ticket!.id, ticket!.number]);
    });

    it('one ticket per customer: the same incident at two customers opens two, each under its own company', async () => {
      const tickets = destination();
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL);
      await tickets.deliver('e', incidentEvent(sim, 'Northwind Traders', 'opened'), SIGNAL);
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL); // the same change again (a retried batch)
      assert.deepEqual(ticketsOf(vendor).map((t) => t.companyId).sort(), [companyOf('Contoso').id, companyOf('Northwind Traders').id].sort());
      assert.deepEqual(ticketsOf(vendor).map((t) => t.notes.length), [0, 0], 'the opening change delivered again adds no note');
    });

    it('an incident that returns gets a new ticket naming the old one', async () => {
      const tickets = destination();
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL);
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'resolved'), SIGNAL);
      await tickets.numbers.settle();
      const first = ticketsOf(vendor)[0]!;
      const again = incidentEvent(sim, 'Contoso', 'opened', { episode: 2, previousKey: incidentEvent(sim, 'Contoso', 'opened').episode.key });
      await tickets.deliver('e', again, SIGNAL);
      const [, second] = ticketsOf(vendor);
      assert.ok(second, 'no second ticket');
      assert.notEqual(second.id, first.id);
      assert.ok(second.description.includes(`after ticket ${first.number}`), second.description);
      assert.equal(first.status, COMPLETE_STATUS[vendor]);
    });

    it('looks the reference up after a crash between the create and its record, and makes no second ticket', async () => {
      const event = incidentEvent(sim, 'Contoso', 'opened');
      // The first process stored "creating", sent the create, and died before recording the answer.
      const crashed = destination();
      const realCreate = crashed['connector'].create.bind(crashed['connector']);
      crashed['connector'].create = async (ticket, signal) => {
        await realCreate(ticket, signal);
        throw new Error('process killed');
      };
      assert.equal((await crashed.deliver('e', event, SIGNAL)).kind, 'retry');
      assert.equal(store.read().tickets[event.episode.key]?.state, 'creating');
      assert.equal(ticketsOf(vendor).length, 1);
      // The next process delivers the same event again.
      assert.deepEqual(await destination().deliver('e', event, SIGNAL), { kind: 'done' });
      assert.equal(ticketsOf(vendor).length, 1);
      const record = store.read().tickets[event.episode.key]!;
      assert.deepEqual([record.state, record.ticketId], ['open', ticketsOf(vendor)[0]!.id]);
    });

    it('a create that never reached the PSA is made on the retry', async () => {
      const event = incidentEvent(sim, 'Contoso', 'opened');
      const first = destination();
      await first.companies.all(); // the companies are read before the create fails
      sim.psa.failNext(vendor, { status: 503, times: 1 });
      const outcome = await first.deliver('e', event, SIGNAL);
      assert.equal(outcome.kind, 'retry');
      assert.equal(ticketsOf(vendor).length, 0);
      assert.deepEqual(await first.deliver('e', event, SIGNAL), { kind: 'done' });
      assert.equal(ticketsOf(vendor).length, 1);
    });

    it('asks the PSA nothing about the reference when no create is pending: a ticket costs its create alone', async () => {
      const tickets = destination();
      await tickets.companies.all();
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened', { incidentId: 'EX1' }), SIGNAL); // looks up names once (ConnectWise)
      const before = sim.psa.requests.length;
      for (const name of ['Contoso', 'Northwind Traders', 'Tailspin Toys', 'Proseware']) await tickets.deliver('e', incidentEvent(sim, name, 'opened'), SIGNAL);
      const made = sim.psa.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/\d+/g, 'N')}`);
      assert.equal(made.length, 4, made.join(', '));
      assert.ok(made.every((r) => /^POST .*tickets$/i.test(r)), made.join(', '));
      await tickets.numbers.settle();
      const reads = sim.psa.requests.slice(before + 4).length;
      assert.equal(reads, vendor === 'autotask' ? 1 : 0, 'Autotask: the four numbers in one read');
      assert.ok(Object.values(store.read().tickets).every((record) => record.number !== null && /^(T\d{8}\.\d{4}|#\d+)$/.test(record.number)));
    });

    it('maps by hand: a customer set with `ticket map` gets its ticket under that company', async () => {
      const chosen = companyOf('Fabrikam, Inc.');
      const fabrikam = incidentEvent(sim, 'Fabrikam', 'opened');
      await store.update((draft) => {
        draft.ticketCompanies[fabrikam.customer.tenantId] = {
          customerId: fabrikam.customer.tenantId, customerName: 'Fabrikam', companyId: chosen.id, companyName: chosen.name, setBy: 'Megan', setAt: '2026-12-07T17:00:00.000Z',
        };
      });
      await destination().deliver('e', fabrikam, SIGNAL);
      assert.equal(ticketsOf(vendor)[0]?.companyId, chosen.id);
    });

    it('an unmapped customer gets no ticket and one notice per watching conversation, once', async () => {
      const fabrikam = incidentEvent(sim, 'Fabrikam', 'opened');
      await store.update((draft) => {
        for (const [id, kind, customerId] of [['w1', 'customer', fabrikam.customer.tenantId], ['w2', 'all', null], ['w3', 'customer', 'someone-else']] as const) {
          draft.watches.push({ id, targetKey: `conv-${id}`, kind, customerId, customerName: null, orderId: null, minSeverity: null, workloads: [], createdBy: 'x', createdAt: '2026-12-07T00:00:00.000Z' });
        }
      });
      const tickets = destination();
      assert.deepEqual(await tickets.deliver('e', fabrikam, SIGNAL), { kind: 'done' });
      await tickets.deliver('e', incidentEvent(sim, 'Fabrikam', 'opened', { incidentId: 'EX999' }), SIGNAL);
      assert.equal(ticketsOf(vendor).length, 0);
      const notices = store.read().outbox.filter((d) => d.kind === 'notice');
      assert.deepEqual(notices.map((n) => n.targetKey).sort(), ['conv-w1', 'conv-w2']);
      assert.match(notices[0]!.kind === 'notice' ? notices[0]!.text : '', /^Fabrikam has no PSA company: .*ticket map Fabrikam to <company id>/);
    });

    it('an unmapped customer goes to TICKET_DEFAULT_COMPANY, and the ticket names the customer', async () => {
      const fallback = sim.psa.companies.at(-1)!;
      await destination({ defaultCompanyId: fallback.id }).deliver('e', incidentEvent(sim, 'Fabrikam', 'opened'), SIGNAL);
      const [ticket] = ticketsOf(vendor);
      assert.equal(ticket?.companyId, fallback.id);
      assert.match(ticket!.title, /^Fabrikam: /);
      assert.match(ticket!.description, /Customer: Fabrikam \(fabrikam\.onmicrosoft\.com\)/);
    });

    it('no ticket for a change below TICKET_MIN_SEVERITY or for the end of an episode it never saw open', async () => {
      const tickets = destination();
      assert.equal(tickets.accepts(incidentEvent(sim, 'Contoso', 'opened', { severity: 'warning' })), false);
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'updated', { severity: 'warning' }), SIGNAL);
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'resolved'), SIGNAL);
      assert.equal(ticketsOf(vendor).length, 0);
      await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'updated', { severity: 'critical' }), SIGNAL);
      assert.equal(ticketsOf(vendor).length, 1, 'an update that reaches the minimum opens the ticket');
    });

    /** A change of Contoso's GDAP access episode opened at `openedAt`, as the access source emits it. */
    const accessEvent = (change: 'opened' | 'updated' | 'resolved', openedAt = '2026-12-07T16:00:00.000Z') => {
      const contoso = sim.data.customers.find((c) => c.companyName === 'Contoso')!;
      const lines = { opened: ['lost', 'critical', 'Access lost: nothing active is left.'], updated: ['stuck', 'warning', 'A new relationship waits for approval.'], resolved: ['back', 'information', 'Access back.'] } as const;
      const [kind, severity, text] = lines[change];
      const event: AccessEvent = {
        id: `${contoso.id}|${openedAt}|${change}`, customerId: contoso.id, customerName: 'Contoso', episode: 1, openedAt, severity, news: change !== 'resolved',
        opens: change === 'opened', closes: change === 'resolved', relationships: [], changes: [{ kind, severity, text, recovery: change === 'resolved' }],
      };
      return alertEventOf(event, '2026-12-07T17:00:00.000Z');
    };

    it('an access episode: one ticket under the customer\'s company with the Partner Center link, a note per change, completed when access is back', async () => {
      const tickets = destination();
      for (const change of ['opened', 'updated', 'resolved'] as const) assert.deepEqual(await tickets.deliver('e', accessEvent(change), SIGNAL), { kind: 'done' });
      await tickets.numbers.settle();
      const [ticket, ...more] = ticketsOf(vendor);
      assert.equal(more.length, 0);
      assert.equal(ticket!.companyId, companyOf('Contoso').id);
      assert.equal(ticket!.title, 'Contoso · GDAP access');
      assert.match(ticket!.description, /Access lost: nothing active is left\.[\s\S]*Open in Partner Center: https:\/\/partner\.microsoft\.com\/dashboard\/v2\/customers\/[0-9a-f-]+\/adminrelationships\n/);
      assert.deepEqual(ticket!.notes.map((n) => n.title), ['Update: Contoso · GDAP access', 'Resolved: Contoso · GDAP access']);
      assert.equal(ticket!.status, COMPLETE_STATUS[vendor]);
      const record = store.read().tickets[accessEvent('opened').episode.key];
      assert.deepEqual([record?.state, record?.ticketId], ['complete', ticket!.id]);
      // Access lost again later is a new episode: a new ticket.
      await tickets.deliver('e', accessEvent('opened', '2026-12-09T08:00:00.000Z'), SIGNAL);
      assert.equal(ticketsOf(vendor).length, 2);
    });

    it('an access episode\'s long key still finds its ticket after a crash between the create and its record', async () => {
      const event = accessEvent('opened');
      const crashed = destination();
      const realCreate = crashed['connector'].create.bind(crashed['connector']);
      crashed['connector'].create = async (ticket, signal) => {
        await realCreate(ticket, signal);
        throw new Error('process killed');
      };
      assert.equal((await crashed.deliver('e', event, SIGNAL)).kind, 'retry');
      assert.deepEqual(await destination().deliver('e', event, SIGNAL), { kind: 'done' });
      assert.equal(ticketsOf(vendor).length, 1);
      assert.equal(store.read().tickets[event.episode.key]?.ticketId, ticketsOf(vendor)[0]!.id);
    });

    it('a 401 stops the PSA with one notice; a 500 and a 429 are retried later, and Teams is not involved', async () => {
      const refused = await destination({ wrongSecret: true }).deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL);
      assert.equal(refused.kind, 'stop');
      assert.match(refused.kind === 'stop' ? refused.notice : '', /^PSA tickets are paused: .*refused the credentials \(401\)/);
      const tickets = destination();
      await tickets.companies.all();
      sim.psa.failNext(vendor, { status: 500 });
      const failed = await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL);
      assert.equal(failed.kind, 'retry');
      sim.psa.failNext(vendor, { status: 429, retryAfterSeconds: 120 });
      const throttled = await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL);
      assert.deepEqual(throttled.kind === 'retry' ? throttled.afterMs : null, 120_000);
      assert.deepEqual(await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL), { kind: 'done' });
      assert.equal(ticketsOf(vendor).length, 1);
    });
  });
}
