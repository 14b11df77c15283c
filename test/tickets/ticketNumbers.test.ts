// Autotask's create answers only the id: the numbers are read afterwards, many in one request, kept for the
// next try when the read fails, and picked up after a restart.
import assert from 'node:assert/strict';
import type { Simulator } from '../../src/sandbox/simulator.js';
import type { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { TicketDestination } from '../../src/tickets/ticketDestination.js';
import { connectorFor, incidentEvent, openTestStore, startPsaSimulator } from './support.js';

const SIGNAL = new AbortController().signal;

describe('ticket numbers read afterwards (Autotask)', () => {
  let sim: Simulator;
  let store: LowdbStateStore;
  const destination = () =>
    new TicketDestination({ connector: connectorFor('autotask', sim), store, settings: { minSeverity: 'critical', sources: ['incidents'], defaultCompanyId: null } });
  const numbers = () => Object.values(store.read().tickets).map((record) => record.number);

  beforeEach(async () => {
    sim = await startPsaSimulator();
    store = await openTestStore();
  });
  afterEach(async () => {
    await store.close();
    await sim.close();
  });

  it('a failed read is kept and done again with the next', async () => {
    const tickets = destination();
    await tickets.deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL);
    assert.deepEqual(numbers(), [null], 'known by its id until the read');
    sim.psa.failNext('autotask', { status: 503 });
    await tickets.numbers.settle();
    assert.deepEqual(numbers(), [null]);
    await tickets.deliver('e', incidentEvent(sim, 'Northwind Traders', 'opened'), SIGNAL);
    const before = sim.psa.requests.length;
    await tickets.numbers.settle();
    assert.equal(sim.psa.requests.length - before, 1, 'both numbers in one read');
    assert.deepEqual(numbers().sort(), sim.psa.tickets.map((ticket) => ticket.number).sort());
  });

  it('numbers left unread by a restart are read by the next process at its first delivery', async () => {
    await destination().deliver('e', incidentEvent(sim, 'Contoso', 'opened'), SIGNAL); // then the process stops
    assert.deepEqual(numbers(), [null]);
    const next = destination();
    await next.deliver('e', incidentEvent(sim, 'Contoso', 'updated', { text: 'More.' }), SIGNAL);
    await next.numbers.settle();
    assert.deepEqual(numbers(), [sim.psa.tickets[0]!.number]);
  });
});
