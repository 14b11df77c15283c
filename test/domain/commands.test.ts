import assert from 'node:assert/strict';
import { parseCommand, MAX_COMMAND_LENGTH, type Command } from '../../src/domain/commands.js';

function command(text: string): Command {
  const result = parseCommand(text);
  assert.ok(result.ok, `expected "${text}" to parse, got: ${result.ok ? '' : result.message}`);
  return result.command;
}

function failure(text: string) {
  const result = parseCommand(text);
  assert.ok(!result.ok, `expected "${text}" to be refused`);
  return result;
}

describe('command grammar', () => {
  it('reads every command, case-insensitively and with extra spaces', () => {
    assert.deepEqual(command('HELP'), { kind: 'help' });
    assert.deepEqual(command('  status   for   Contoso  '), { kind: 'status', customer: 'Contoso' });
    assert.deepEqual(command('Status contoso'), { kind: 'status', customer: 'contoso' });
    assert.deepEqual(command('status for Northwind Traders'), { kind: 'status', customer: 'Northwind Traders' });
    assert.deepEqual(command('customers'), { kind: 'customers', prefix: null });
    assert.deepEqual(command('customers con'), { kind: 'customers', prefix: 'con' });
    assert.deepEqual(command('subscriptions for fabrikam'), { kind: 'subscriptions', customer: 'fabrikam' });
    assert.deepEqual(command('provisioning order 9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1 for contoso'), {
      kind: 'provisioning',
      orderId: '9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1',
      customer: 'contoso',
    });
    assert.deepEqual(command('provisioning order 12345'), { kind: 'provisioning', orderId: '12345', customer: null });
    assert.deepEqual(command('watches'), { kind: 'watches' });
    assert.deepEqual(command('poll now'), { kind: 'pollNow' });
    assert.deepEqual(command('unwatch all'), { kind: 'unwatchAll' });
    assert.deepEqual(command('unwatch order 34828C05-C16C-4D6F-9CFC-4D2650EF19A1'), {
      kind: 'unwatchOrder',
      orderId: '34828C05-C16C-4D6F-9CFC-4D2650EF19A1',
    });
    assert.deepEqual(command('unwatch Contoso'), { kind: 'unwatchCustomer', customer: 'Contoso' });
    assert.deepEqual(command('exclude Northwind Traders'), { kind: 'excludeCustomer', customer: 'Northwind Traders' });
    assert.deepEqual(command('exclude contoso from watch all'), { kind: 'excludeCustomer', customer: 'contoso' });
    assert.deepEqual(command('Exclude contoso from all'), { kind: 'excludeCustomer', customer: 'contoso' });
  });

  it('reads watch options after a customer name with spaces', () => {
    assert.deepEqual(command('watch Northwind Traders severity warning workloads Exchange,Teams'), {
      kind: 'watchCustomer',
      customer: 'Northwind Traders',
      filters: { minSeverity: 'warning', workloads: ['exchange', 'teams'] },
    });
    assert.deepEqual(command('watch all severity critical'), {
      kind: 'watchAll',
      filters: { minSeverity: 'critical', workloads: [] },
    });
    assert.deepEqual(command('watch contoso'), {
      kind: 'watchCustomer',
      customer: 'contoso',
      filters: { minSeverity: null, workloads: [] },
    });
    assert.deepEqual(command('watch order 1234 for Contoso'), { kind: 'watchOrder', orderId: '1234', customer: 'Contoso' });
  });

  it('tolerates Teams whitespace and a trailing question mark', () => {
    assert.deepEqual(command('status\u00a0for\u00a0contoso?'), { kind: 'status', customer: 'contoso' });
  });

  it('refuses unknown commands with the reason "unknown"', () => {
    const result = failure('make me a sandwich');
    assert.equal(result.reason, 'unknown');
    assert.match(result.message, /didn’t understand “make me a sandwich”/);
    assert.equal(failure('poll later').reason, 'unknown');
  });

  it('refuses empty and oversized input politely', () => {
    assert.equal(failure('   ').reason, 'empty');
    const long = failure(`status for ${'x'.repeat(MAX_COMMAND_LENGTH)}`);
    assert.equal(long.reason, 'tooLong');
    assert.match(long.message, /at most 500/);
  });

  it('explains a command used wrongly and shows an example', () => {
    const noCustomer = failure('status for');
    assert.equal(noCustomer.reason, 'invalid');
    assert.equal(noCustomer.example, 'status for contoso');
    const noOrder = failure('provisioning contoso');
    assert.match(noOrder.example ?? '', /provisioning order/);
    assert.equal(failure('watch order 1234').reason, 'invalid');
    assert.match(failure('watch contoso severity huge').message, /not a severity/);
    assert.match(failure('watch contoso severity warning colour red').message, /don't know the option "colour"/);
    assert.match(failure('watch contoso severity').message, /needs a value/);
  });

  it('refuses malformed order ids', () => {
    for (const bad of ['../../customers', 'abc%2F', 'x'.repeat(65), '<script>']) {
      const result = failure(`provisioning order ${bad} for contoso`);
      assert.match(result.message, /not an order id/, bad);
    }
  });

  it('refuses an overlong customer name', () => {
    assert.match(failure(`status for ${'y'.repeat(200)}`).message, /too long/);
  });
});

describe('command grammar: orders', () => {
  it('reads "orders for <customer>" and "orders <customer>", and asks which customer when none is named', () => {
    assert.deepEqual(command('orders for Northwind Traders'), { kind: 'orders', customer: 'Northwind Traders' });
    assert.deepEqual(command('Orders contoso'), { kind: 'orders', customer: 'contoso' });
    const missing = failure('orders');
    assert.equal(missing.reason, 'invalid');
    assert.equal(missing.example, 'orders for contoso');
  });
});
