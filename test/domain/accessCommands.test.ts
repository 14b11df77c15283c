// The grammar of the GDAP access commands: "access for", "access expiring [days]" (1 to 365; anything else
// one sentence naming that range) and "watch/unwatch access all|<customer>".
import assert from 'node:assert/strict';
import { parseCommand } from '../../src/domain/commands.js';

function parsed(text: string) {
  const result = parseCommand(text);
  assert.ok(result.ok, `expected "${text}" to parse, got: ${result.ok ? '' : result.message}`);
  return result.command;
}

function refused(text: string) {
  const result = parseCommand(text);
  assert.ok(!result.ok, `expected "${text}" to be refused`);
  return result;
}

describe('access command grammar', () => {
  it('reads "access for", "access expiring" with and without days, and the access watches', () => {
    assert.deepEqual(parsed('access for Northwind Traders'), { kind: 'accessFor', customer: 'Northwind Traders' });
    assert.deepEqual(parsed('Access contoso'), { kind: 'accessFor', customer: 'contoso' });
    assert.deepEqual(parsed('access expiring'), { kind: 'accessExpiring', days: 30 });
    assert.deepEqual(parsed('access expiring 7'), { kind: 'accessExpiring', days: 7 });
    assert.deepEqual(parsed('access expiring 1 day'), { kind: 'accessExpiring', days: 1 });
    assert.deepEqual(parsed('access expiring 365 days'), { kind: 'accessExpiring', days: 365 });
    assert.deepEqual(parsed('watch access all'), { kind: 'watchAccess', customer: null });
    assert.deepEqual(parsed('watch access for contoso'), { kind: 'watchAccess', customer: 'contoso' });
    assert.deepEqual(parsed('unwatch access all'), { kind: 'unwatchAccess', customer: null });
    assert.deepEqual(parsed('unwatch access Contoso'), { kind: 'unwatchAccess', customer: 'Contoso' });
    assert.deepEqual(parsed('watch accessories'), { kind: 'watchCustomer', customer: 'accessories', filters: { minSeverity: null, workloads: [] } }, 'a customer whose name starts with "access"');
  });

  it('refuses 0, 1000, a word and a fraction of days with one sentence naming the range', () => {
    for (const days of ['0', '1000', 'soon', '2.5', '-3']) {
      const result = refused(`access expiring ${days}`);
      assert.equal(result.reason, 'invalid');
      assert.equal(result.message, `“${days}” is not a number of days: “access expiring” takes 1 to 365 days.`);
      assert.equal(result.example, 'access expiring 30');
    }
  });

  it('asks whose access when the customer is missing', () => {
    assert.match(refused('access for').message, /Which customer\?/);
    assert.match(refused('watch access').message, /Whose GDAP access should I watch here\?/);
    assert.match(refused('unwatch access').message, /Whose GDAP access should I stop watching here\?/);
  });
});
