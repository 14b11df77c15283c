// GRAPH_URL, GDAP_POLL_MINUTES and ACCESS_WARN_DAYS are read and checked like the other settings.
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';

const production = {
  PARTNER_TENANT_ID: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  PARTNER_CENTER_CLIENT_ID: 'client',
  PARTNER_CENTER_CLIENT_SECRET: 'secret',
};

describe('configuration of GDAP access alerts', () => {
  it('lists at most every 60 minutes from graph.microsoft.com and warns 30 days ahead by default; the sandbox every round', () => {
    const defaults = loadConfig(production);
    assert.ok(defaults.ok);
    assert.deepEqual([defaults.config.graphUrl, defaults.config.gdapPollMinutes, defaults.config.accessWarnDays], ['https://graph.microsoft.com', 60, 30]);
    const sandbox = loadConfig({});
    assert.ok(sandbox.ok);
    assert.equal(sandbox.config.gdapPollMinutes, 0.5);
    const set = loadConfig({ ...production, GRAPH_URL: 'https://graph.microsoft.us', GDAP_POLL_MINUTES: '0.1', ACCESS_WARN_DAYS: '45' });
    assert.ok(set.ok);
    assert.deepEqual([set.config.graphUrl, set.config.gdapPollMinutes, set.config.accessWarnDays], ['https://graph.microsoft.us', 0.1, 45]);
  });

  it('refuses values out of range and a URL that is none, one sentence each', () => {
    const bad = loadConfig({ ...production, GRAPH_URL: 'graph', GDAP_POLL_MINUTES: '0.05', ACCESS_WARN_DAYS: '366' });
    assert.ok(!bad.ok);
    assert.equal(bad.problems.length, 3, bad.problems.join('\n'));
    assert.match(bad.problems.join('\n'), /GRAPH_URL/);
    assert.ok(bad.problems.includes('GDAP_POLL_MINUTES must be a number from 0.1 to 10080 (got "0.05").'));
    assert.ok(bad.problems.includes('ACCESS_WARN_DAYS must be a whole number from 1 to 365 (got "366").'));
  });
});
