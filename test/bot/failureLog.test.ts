import assert from 'node:assert/strict';
import { commandFailureLine, commandLabel, failureReason, serializeError } from '../../src/bot/failureLog.js';
import { CustomerScopedError } from '../../src/bot/failureText.js';
import { parseCommand, type Command } from '../../src/domain/commands.js';
import { AuthenticationError, PartnerCenterError, PartnerCenterUnavailableError, ThrottledError } from '../../src/partnerCenter/errors.js';

const ids = { requestId: 'req-1', correlationId: 'corr-1' };
const serverError = () => new PartnerCenterError(500, 800003, 'Unexpected service error', ids);

function command(text: string): Command {
  const parsed = parseCommand(text);
  assert.ok(parsed.ok, text);
  return parsed.command;
}

describe('failure log lines', () => {
  it('says in one line which command failed, why, and that the user was told', () => {
    const error = new CustomerScopedError(serverError(), 'Contoso');
    assert.equal(
      commandFailureLine(command('status for contoso'), error),
      'status for contoso failed: Partner Center answered 500 (code 800003); the user was told.',
    );
    assert.equal(
      commandFailureLine(command('provisioning order 9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1'), new PartnerCenterError(404, null, 'Not found', ids)),
      'provisioning order 9qg-ErcO-4MPbPqq_3MIQaS7bn8W6HfG1 failed: Partner Center answered 404; the user was told.',
    );
  });

  it('names every kind of Partner Center failure, and anything else as unexpected', () => {
    assert.equal(failureReason(new ThrottledError(30, ids)), 'Partner Center is throttling requests (retry in 30 s)');
    assert.equal(failureReason(new PartnerCenterUnavailableError('timeout', 'after 30 s', ids)), 'Partner Center did not answer in time');
    assert.equal(failureReason(new PartnerCenterUnavailableError('network', 'ECONNRESET', ids)), 'Partner Center could not be reached');
    assert.equal(failureReason(new AuthenticationError('invalid_grant', 'AADSTS700082: expired')), 'signing in to Partner Center failed (invalid_grant)');
    assert.equal(failureReason(new TypeError('x is undefined\n  more')), 'unexpected TypeError: x is undefined more');
  });

  it('labels every command as typed, on one line', () => {
    const labels = ['help', 'customers con', 'status for Contoso', 'subscriptions for Fabrikam', 'provisioning order 5041 for Contoso',
      'watch Contoso', 'watch all', 'watch order 5041 for Contoso', 'unwatch Contoso', 'unwatch all', 'unwatch order 5041', 'watches', 'poll now'];
    for (const label of labels) assert.equal(commandLabel(command(label)), label);
    const forged: Command = { kind: 'status', customer: 'Contoso\n{"level":60,"msg":"forged"}' };
    assert.doesNotMatch(commandLabel(forged), /\n/);
  });
});

describe('logging a failure (pino err serializer)', () => {
  it('keeps status, code and request ids of a Partner Center failure, without the stack', () => {
    const logged = serializeError(new CustomerScopedError(serverError(), 'Contoso')) as Record<string, unknown>;
    assert.equal(logged['type'], 'PartnerCenterError');
    assert.equal(logged['message'], 'Partner Center answered 500 (code 800003): Unexpected service error');
    assert.deepEqual([logged['status'], logged['code'], logged['ids'], logged['customer']], [500, 800003, ids, 'Contoso']);
    assert.ok(!('stack' in logged), 'no stack for an expected failure');
    assert.ok(!('inner' in logged), 'the wrapped error is logged once');
    assert.ok(JSON.stringify(logged).length < 400, JSON.stringify(logged));
  });

  it('keeps the stack of anything unexpected', () => {
    const logged = serializeError(new CustomerScopedError(new TypeError('boom'), 'Contoso')) as Record<string, unknown>;
    assert.equal(logged['type'], 'TypeError');
    assert.match(String(logged['stack']), /TypeError: boom\n\s+at /);
    assert.equal(logged['customer'], 'Contoso');
    assert.equal(serializeError('just a string'), 'just a string');
  });
});
