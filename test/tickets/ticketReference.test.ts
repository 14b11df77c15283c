// The external reference fits the PSA's field and still names the incident and the customer.
import assert from 'node:assert/strict';
import { ticketReference } from '../../src/tickets/ticketReference.js';

const TENANT = '8f2e4c1a-0b3d-4e5f-9a6b-7c8d9e0f1a2b';

describe('ticketReference', () => {
  it('keeps a key that fits as it is (ConnectWise externalXRef: 100)', () => {
    assert.equal(ticketReference(`incident|EX123456|${TENANT}|0`, 100), `incident|EX123456|${TENANT}|0`);
  });

  it('fits an incident key into Autotask\'s 50 characters with the incident id and the whole tenant id', () => {
    const reference = ticketReference(`incident|EX123456|${TENANT}|0`, 50);
    assert.ok(reference.length <= 50, reference);
    assert.equal(reference, `i|EX123456|${TENANT.replaceAll('-', '')}|0`);
  });

  it('a longer key ends in a digest: two episodes never share a reference, and the same key always gives the same one', () => {
    const a = ticketReference(`subscription|${TENANT}|${TENANT}|2026-12-07T17:00:00.000Z`, 50);
    const b = ticketReference(`subscription|${TENANT}|${TENANT}|2026-12-08T17:00:00.000Z`, 50);
    assert.ok(a.length <= 50 && b.length <= 50);
    assert.notEqual(a, b);
    assert.equal(a, ticketReference(`subscription|${TENANT}|${TENANT}|2026-12-07T17:00:00.000Z`, 50));
  });
});
