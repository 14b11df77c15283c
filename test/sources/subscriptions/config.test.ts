// SUBSCRIPTION_POLL_MINUTES and SUBSCRIPTION_WARN_DAYS are read and checked like the other numeric settings.
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';

const production = {
  PARTNER_TENANT_ID: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  PARTNER_CENTER_CLIENT_ID: 'client',
  PARTNER_CENTER_CLIENT_SECRET: 'secret',
};

describe('configuration of subscription alerts', () => {
  it('polls subscriptions at most every 60 minutes and warns 30 days ahead by default; the sandbox every round', () => {
    const defaults = loadConfig(production);
    assert.ok(defaults.ok);
    assert.deepEqual([defaults.config.subscriptionPollMinutes, defaults.config.subscriptionWarnDays], [60, 30]);
    const sandbox = loadConfig({});
    assert.ok(sandbox.ok);
    assert.equal(sandbox.config.subscriptionPollMinutes, 0.5);
    const set = loadConfig({ ...production, SUBSCRIPTION_POLL_MINUTES: '120', SUBSCRIPTION_WARN_DAYS: '14' });
    assert.ok(set.ok);
    assert.deepEqual([set.config.subscriptionPollMinutes, set.config.subscriptionWarnDays], [120, 14]);
  });

  it('refuses values out of range, one sentence each, with the other problems', () => {
    const bad = loadConfig({ ...production, SUBSCRIPTION_POLL_MINUTES: 'hourly', SUBSCRIPTION_WARN_DAYS: '7.5' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, [
      'SUBSCRIPTION_POLL_MINUTES must be a number from 0.1 to 10080 (got "hourly").',
      'SUBSCRIPTION_WARN_DAYS must be a whole number from 1 to 365 (got "7.5").',
    ]);
    const zero = loadConfig({ ...production, SUBSCRIPTION_POLL_MINUTES: '0', SUBSCRIPTION_WARN_DAYS: '0' });
    assert.ok(!zero.ok);
    assert.equal(zero.problems.length, 2);
  });
});
