// The help card is where people copy their first commands from: in the sandbox, its examples must work.
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/cardData/help.js';
import { parseCommand } from '../../src/domain/commands.js';
import { createDataset } from '../../src/sandbox/dataset.js';

describe('help card examples in the sandbox', () => {
  const withOrder = COMMANDS.map((help) => help.example)
    .map((example) => ({ example, parsed: parseCommand(example) }))
    .flatMap(({ example, parsed }) =>
      parsed.ok && 'orderId' in parsed.command && 'customer' in parsed.command ? [{ example, ...parsed.command }] : [],
    );

  it('has examples that name an order and its customer', () => {
    assert.ok(withOrder.length >= 2, JSON.stringify(withOrder));
  });

  it("names an order the customer really has in the simulator, with provisioning to show, whatever the seed", () => {
    for (const seed of [1, 42, 1234]) {
      const data = createDataset({ seed });
      for (const { example, orderId, customer } of withOrder) {
        assert.ok(customer, `${example}: no customer`);
        const found = data.customerNamed(customer);
        assert.ok(found, `${example}: the simulator has no customer "${customer}"`);
        const order = data.findOrder(found.id, orderId);
        assert.ok(order, `${example}: ${customer} has no order ${orderId} in the simulator (seed ${seed})`);
        assert.ok(order.provisioning, `${example}: order ${orderId} has no provisioning status`);
      }
    }
  });
});
