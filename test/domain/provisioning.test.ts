import assert from 'node:assert/strict';
import { isFinalState, isFulfilled, normaliseProvisioningState, provisioningVerdict } from '../../src/domain/provisioning.js';
import type { ProvisioningLine } from '../../src/domain/types.js';

const line = (lineItemNumber: number, status: string, quantities: [number, string][] = []): ProvisioningLine => ({
  lineItemNumber,
  status,
  quantities: quantities.map(([quantity, s]) => ({ quantity, status: s })),
});

describe('provisioning rules', () => {
  it('knows the final states, whatever their case', () => {
    for (const status of ['fulfilled', 'Fulfilled', ' FULFILLED ', 'unfulfilled', 'Unfulfilled', 'cancelled', 'Canceled', 'failed']) {
      assert.equal(isFinalState(status), true, status);
    }
    for (const status of ['prefulfillmentpending', 'PreFulfillmentPending', 'pending', '', 'somethingNew']) {
      assert.equal(isFinalState(status), false, status);
    }
  });

  it('normalises and recognises fulfilled', () => {
    assert.equal(normaliseProvisioningState('  PreFulfillmentPending '), 'prefulfillmentpending');
    assert.equal(isFulfilled('FULFILLED'), true);
    assert.equal(isFulfilled('unfulfilled'), false);
  });

  it('calls an order without lines empty', () => {
    assert.equal(provisioningVerdict([]), 'empty');
  });

  it('calls an order fulfilled when every line is', () => {
    assert.equal(provisioningVerdict([line(1, 'Fulfilled', [[5, 'fulfilled']]), line(2, 'fulfilled')]), 'fulfilled');
  });

  it('calls an order pending while any line or quantity is not final', () => {
    assert.equal(provisioningVerdict([line(1, 'fulfilled'), line(2, 'PreFulfillmentPending')]), 'pending');
    assert.equal(provisioningVerdict([line(1, 'unfulfilled'), line(2, 'prefulfillmentpending')]), 'pending');
    assert.equal(provisioningVerdict([line(1, 'fulfilled', [[5, 'fulfilled'], [2, 'prefulfillmentpending']])]), 'pending');
    assert.equal(provisioningVerdict([line(1, 'someFutureState')]), 'pending');
  });

  it('ignores empty quantities', () => {
    assert.equal(provisioningVerdict([line(1, 'fulfilled', [[5, 'fulfilled'], [0, 'prefulfillmentpending']])]), 'fulfilled');
  });

  it('calls an order unfulfilled when everything is final but not all fulfilled', () => {
    assert.equal(provisioningVerdict([line(1, 'fulfilled'), line(2, 'Unfulfilled')]), 'unfulfilled');
    assert.equal(provisioningVerdict([line(1, 'cancelled')]), 'unfulfilled');
    assert.equal(provisioningVerdict([line(1, 'fulfilled', [[3, 'fulfilled'], [1, 'unfulfilled']])]), 'unfulfilled');
  });
});
