// The PSA's companies are read once and shared: an attempt that runs out of time leaves the read going for the
// next one, and a read that fails is not kept.
import assert from 'node:assert/strict';
import type { Simulator } from '../../src/sandbox/simulator.js';
import type { LowdbStateStore } from '../../src/store/lowdbStore.js';
import { CompanyBook } from '../../src/tickets/companyBook.js';
import { connectorFor, openTestStore, startPsaSimulator } from './support.js';

describe('company book', () => {
  let sim: Simulator;
  let store: LowdbStateStore;
  beforeEach(async () => {
    sim = await startPsaSimulator();
    store = await openTestStore();
  });
  afterEach(async () => {
    await store.close();
    await sim.close();
  });

  const companyReads = () => sim.psa.requests.filter((request) => /companies/i.test(request.path)).length;

  it('an attempt that gives up does not cancel the read: the next attempt gets the same one', async () => {
    const book = new CompanyBook(connectorFor('connectwise', sim), store, null);
    sim.psa.latencyMs = 300;
    const impatient = await book.all(AbortSignal.timeout(50)).catch((error: unknown) => error);
    assert.ok(impatient instanceof Error, 'the first attempt gave up');
    const companies = await book.all();
    assert.equal(companies.length, sim.psa.companies.length);
    assert.equal(companyReads(), 1);
  });

  it('a failed read is not kept: the next call reads again', async () => {
    const book = new CompanyBook(connectorFor('connectwise', sim), store, null);
    sim.psa.failNext('connectwise', { status: 503 });
    await assert.rejects(book.all());
    assert.equal((await book.all()).length, sim.psa.companies.length);
  });
});
