import assert from 'node:assert/strict';
import { diffProvisioning, isOrderFinal } from '../../src/sources/provisioning/diff.js';
import type { OrderProvisioning } from '../../src/domain/types.js';

function order(...states: string[]): OrderProvisioning {
  return {
    customerId: 'c1',
    orderId: '9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1',
    lines: states.map((status, i) => ({ lineItemNumber: i, status, quantities: [{ quantity: 5, status }] })),
  };
}

describe('provisioning diff', () => {
  it('takes the first fetch as the baseline', () => {
    assert.equal(diffProvisioning(undefined, order('prefulfillmentpending'), 't0').event, null);
  });

  it('reports a line item that changed state, case-insensitively', () => {
    const base = diffProvisioning(undefined, order('PrefulfillmentPending', 'prefulfillmentpending'), 't0').snapshot;
    assert.equal(diffProvisioning(base, order('prefulfillmentpending', 'PREFULFILLMENTPENDING'), 't1').event, null);
    const { event } = diffProvisioning(base, order('fulfilled', 'prefulfillmentpending'), 't1');
    assert.equal(event?.kind, 'changed');
    assert.deepEqual(event?.changes, [{ lineItemNumber: 0, from: 'prefulfillmentpending', to: 'fulfilled' }]);
    assert.equal(event?.verdict, 'pending');
  });

  it('completes when every line item is final', () => {
    const base = diffProvisioning(undefined, order('fulfilled', 'prefulfillmentpending'), 't0').snapshot;
    const done = diffProvisioning(base, order('fulfilled', 'fulfilled'), 't1').event;
    assert.equal(done?.kind, 'completed');
    assert.equal(done?.verdict, 'fulfilled');
    const failed = diffProvisioning(base, order('fulfilled', 'unfulfilled'), 't1').event;
    assert.equal(failed?.kind, 'completed');
    assert.equal(failed?.verdict, 'unfulfilled');
  });

  it('keeps an unknown state verbatim and does not call it final', () => {
    const base = diffProvisioning(undefined, order('prefulfillmentpending'), 't0').snapshot;
    const { event } = diffProvisioning(base, order('Suspended-For-Review'), 't1');
    assert.equal(event?.kind, 'changed');
    assert.equal(event?.changes[0]?.to, 'suspended-for-review');
    assert.equal(isOrderFinal(order('Suspended-For-Review')), false);
  });
});
