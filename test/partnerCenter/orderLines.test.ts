// The order line items behind the provisioning cards' product names: read once per order and kept (line
// items never change), bounded, never a thrown error (a card is better without names than not at all).
import assert from 'node:assert/strict';
import { PartnerCenterError, PartnerCenterUnavailableError } from '../../src/partnerCenter/errors.js';
import { OrderLineBook, type OrderSource } from '../../src/partnerCenter/orderLines.js';
import type { OrderSummary } from '../../src/partnerCenter/wire.js';

const ctx = { correlationId: 'c' };
const ids = { requestId: 'r', correlationId: 'c' };

/** An order source that answers from a table and counts what it was asked. */
function source(fail: (orderId: string) => Error | null = () => null) {
  const asked: string[] = [];
  const orders: OrderSource = {
    async order(_ctx, customerId, orderId): Promise<OrderSummary> {
      asked.push(`${customerId}/${orderId}`);
      await new Promise((resolve) => setImmediate(resolve));
      const error = fail(orderId);
      if (error) throw error;
      return { id: orderId, status: 'pending', creationDate: null, lineItems: [{ lineItemNumber: 0, offerId: 'CFQ7TTC0LFK5:0001', friendlyName: `Product of ${orderId}`, quantity: 5 }] };
    },
  };
  return { orders, asked };
}

describe('order line items for the provisioning cards', () => {
  it('reads an order once and answers every later card from memory', async () => {
    const { orders, asked } = source();
    const book = new OrderLineBook(orders);
    const first = await book.lines(ctx, 'C1', 'o1');
    const again = await book.lines(ctx, 'c1', 'o1');
    assert.deepEqual(first, { ok: true, items: [{ lineItemNumber: 0, offerId: 'CFQ7TTC0LFK5:0001', friendlyName: 'Product of o1', quantity: 5 }] });
    assert.deepEqual(again, first);
    assert.deepEqual(asked, ['C1/o1'], 'customer ids compare without case');
  });

  it('shares one request between cards asking at the same time', async () => {
    const { orders, asked } = source();
    const book = new OrderLineBook(orders);
    await Promise.all([book.lines(ctx, 'c1', 'o1'), book.lines(ctx, 'c1', 'o1'), book.lines(ctx, 'c1', 'o1')]);
    assert.equal(asked.length, 1);
  });

  it('keeps at most its bound, forgetting the least recently used order first', async () => {
    const { orders, asked } = source();
    const book = new OrderLineBook(orders, 2);
    await book.lines(ctx, 'c1', 'o1');
    await book.lines(ctx, 'c1', 'o2');
    await book.lines(ctx, 'c1', 'o1'); // o1 is now the most recent
    await book.lines(ctx, 'c1', 'o3'); // o2 goes
    assert.equal(book.size, 2);
    await book.lines(ctx, 'c1', 'o1');
    await book.lines(ctx, 'c1', 'o2');
    assert.deepEqual(asked, ['c1/o1', 'c1/o2', 'c1/o3', 'c1/o2']);
  });

  it('says why when the order cannot be read, and tries again next time', async () => {
    let down = true;
    const { orders, asked } = source(() => (down ? new PartnerCenterUnavailableError('timeout', 'slow', ids) : null));
    const book = new OrderLineBook(orders);
    assert.deepEqual(await book.lines(ctx, 'c1', 'o1'), { ok: false, reason: 'Partner Center did not answer when asked for the order.' });
    down = false;
    assert.equal((await book.lines(ctx, 'c1', 'o1')).ok, true);
    assert.equal(asked.length, 2);
  });

  it('turns each kind of failure into a sentence without internals', async () => {
    const reasons = await Promise.all(
      [new PartnerCenterError(404, 20000, 'Order x was not found', ids), new PartnerCenterError(403, 1002, 'denied', ids), new Error('boom at x.js:1:2')].map(
        async (error, i) => (await new OrderLineBook(source(() => error).orders).lines(ctx, 'c1', `o${i}`)),
      ),
    );
    assert.deepEqual(
      reasons.map((r) => (r.ok ? '' : r.reason)),
      ['Partner Center did not find the order itself.', 'Partner Center refused to show the order.', 'The order could not be read.'],
    );
  });
});
