import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.js';

const production = {
  PARTNER_TENANT_ID: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  PARTNER_CENTER_CLIENT_ID: 'client',
  PARTNER_CENTER_CLIENT_SECRET: 'secret',
  PARTNER_CENTER_REFRESH_TOKEN: 'refresh',
};

describe('configuration', () => {
  it('runs the sandbox on loopback when nothing is configured', () => {
    const result = loadConfig({});
    assert.ok(result.ok);
    assert.equal(result.config.sandbox, true);
    assert.equal(result.config.bot, null);
    assert.equal(result.config.host, '127.0.0.1');
    assert.equal(result.config.port, 3978);
    // The sandbox polls every minute and logs warnings only, unless told otherwise.
    assert.equal(result.config.pollSchedule, '* * * * *');
    assert.equal(result.config.logLevel, 'warn');
    assert.deepEqual(result.config.sandboxSettings, { scenarioSeconds: 60, playgroundPort: 56150, requestsPerMinute: 500, timeoutMs: 30_000, playground: true });
    const told = loadConfig({ POLL_SCHEDULE: '*/2 * * * *', LOG_LEVEL: 'debug', SANDBOX_SCENARIO_SECONDS: '5', PLAYGROUND_PORT: '56200' });
    assert.ok(told.ok);
    assert.deepEqual([told.config.pollSchedule, told.config.logLevel], ['*/2 * * * *', 'debug']);
    assert.deepEqual([told.config.sandboxSettings.scenarioSeconds, told.config.sandboxSettings.playgroundPort], [5, 56200]);
  });

  it('reads Partner Center credentials and defaults to the public cloud', () => {
    const result = loadConfig(production);
    assert.ok(result.ok);
    assert.equal(result.config.sandbox, false);
    assert.equal(result.config.partnerCenter?.baseUrl, 'https://api.partnercenter.microsoft.com');
    assert.equal(result.config.partnerCenter?.authorityHost, 'https://login.microsoftonline.com');
    assert.equal(result.config.partnerCenter?.requestsPerMinute, 500);
    assert.equal(result.config.pollSchedule, '*/5 * * * *');
    assert.equal(result.config.logLevel, 'info');
    // Empty allow-list means the partner's own tenant only.
    assert.deepEqual(result.config.allowedTenantIds, ['0c39d6d5-c70d-4c55-bc02-f620844f3fd1']);
  });

  it('listens on every interface only when Bot Framework auth is on', () => {
    const result = loadConfig({
      ...production,
      MicrosoftAppId: 'app',
      MicrosoftAppPassword: 'pw',
      MicrosoftAppTenantId: 'tenant',
    });
    assert.ok(result.ok);
    assert.equal(result.config.host, '0.0.0.0');
    assert.equal(result.config.bot?.appType, 'SingleTenant');
  });

  it('listens where LISTEN_ADDRESS says, with or without an app id, and refuses what is not an IP address', () => {
    // Compose's sandbox bots sit behind Caddy on a private network: loopback would shut Caddy out.
    const sandbox = loadConfig({ LISTEN_ADDRESS: '0.0.0.0' });
    assert.ok(sandbox.ok);
    assert.deepEqual([sandbox.config.sandbox, sandbox.config.bot, sandbox.config.host], [true, null, '0.0.0.0']);
    const narrowed = loadConfig({ ...production, MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw', MicrosoftAppTenantId: 'tenant', LISTEN_ADDRESS: '10.0.0.4' });
    assert.ok(narrowed.ok);
    assert.equal(narrowed.config.host, '10.0.0.4');
    const bad = loadConfig({ LISTEN_ADDRESS: 'everywhere' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, ['LISTEN_ADDRESS must be an IP address such as 0.0.0.0 or 127.0.0.1 (got "everywhere").']);
  });

  it('runs the sandbox without the Playground when SANDBOX_PLAYGROUND is false, and refuses a value that is not true or false', () => {
    const off = loadConfig({ SANDBOX_PLAYGROUND: 'False' });
    assert.ok(off.ok);
    assert.equal(off.config.sandboxSettings.playground, false);
    const on = loadConfig({ SANDBOX_PLAYGROUND: 'true' });
    assert.ok(on.ok);
    assert.equal(on.config.sandboxSettings.playground, true);
    const bad = loadConfig({ SANDBOX_PLAYGROUND: 'no' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, ['SANDBOX_PLAYGROUND must be true or false (got "no").']);
  });

  it('reports every problem at once, one sentence each, without echoing secrets', () => {
    const result = loadConfig({
      PARTNER_CENTER_CLIENT_SECRET: 'super-secret-value',
      PORT: 'eighty',
      POLL_SCHEDULE: 'every now and then',
      MicrosoftAppId: 'app',
      ALLOWED_TENANT_IDS: 'not-a-guid',
      PARTNER_CENTER_URL: 'ftp://example',
    });
    assert.ok(!result.ok);
    const text = result.problems.join('\n');
    assert.match(text, /credentials are incomplete: set PARTNER_TENANT_ID, PARTNER_CENTER_CLIENT_ID/);
    assert.match(text, /PORT must be a whole number/);
    assert.match(text, /POLL_SCHEDULE "every now and then" is not a valid cron/);
    assert.match(text, /MicrosoftAppPassword is required/);
    assert.match(text, /"not-a-guid" is not a tenant id/);
    assert.match(text, /PARTNER_CENTER_URL "ftp:\/\/example" is not a valid/);
    assert.doesNotMatch(text, /super-secret-value/);
  });

  it('takes a HEALTH_TOKEN of 32 characters or more and refuses a shorter one in one sentence, without echoing it', () => {
    const unset = loadConfig({});
    assert.ok(unset.ok);
    assert.equal(unset.config.healthToken, null);
    const long = 'a'.repeat(32);
    const set = loadConfig({ ...production, HEALTH_TOKEN: long });
    assert.ok(set.ok, JSON.stringify(set));
    assert.equal(set.config.healthToken, long);
    const short = loadConfig({ ...production, HEALTH_TOKEN: 'guessable-31-characters-token-x' });
    assert.ok(!short.ok);
    assert.deepEqual(short.problems, ['HEALTH_TOKEN is 31 characters long; use at least 32 random ones (e.g. openssl rand -hex 32).']);
  });

  it('asks for ALLOWED_TENANT_IDS when the partner tenant is a domain name', () => {
    const result = loadConfig({ ...production, PARTNER_TENANT_ID: 'contoso.onmicrosoft.com' });
    assert.ok(!result.ok);
    assert.match(result.problems.join(), /set ALLOWED_TENANT_IDS/);
  });

  it('reads STATE_ENCRYPTION_KEY and _PREVIOUS as 32 bytes of base64, and refuses anything else without echoing it', () => {
    const key = randomBytes(32);
    const previous = randomBytes(32);
    const none = loadConfig(production);
    assert.ok(none.ok);
    assert.deepEqual(none.config.stateEncryption, { current: null, previous: null });
    const both = loadConfig({ ...production, STATE_ENCRYPTION_KEY: key.toString('base64'), STATE_ENCRYPTION_KEY_PREVIOUS: previous.toString('base64url') });
    assert.ok(both.ok);
    assert.ok(both.config.stateEncryption?.current?.equals(key));
    assert.ok(both.config.stateEncryption?.previous?.equals(previous));

    const short = randomBytes(16).toString('base64');
    const hex = key.toString('hex');
    const bad = loadConfig({ ...production, STATE_ENCRYPTION_KEY: short, STATE_ENCRYPTION_KEY_PREVIOUS: hex });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, [
      'STATE_ENCRYPTION_KEY must be 32 random bytes in base64 (44 characters; make one with: openssl rand -base64 32).',
      'STATE_ENCRYPTION_KEY_PREVIOUS must be 32 random bytes in base64 (44 characters; make one with: openssl rand -base64 32).',
    ]);
    assert.ok(!bad.problems.join().includes(short) && !bad.problems.join().includes(hex), 'a key is never echoed');

    const previousOnly = loadConfig({ ...production, STATE_ENCRYPTION_KEY_PREVIOUS: previous.toString('base64') });
    assert.ok(!previousOnly.ok);
    assert.deepEqual(previousOnly.problems, [
      'STATE_ENCRYPTION_KEY_PREVIOUS is set without STATE_ENCRYPTION_KEY: the previous key only reads, so set the new key as STATE_ENCRYPTION_KEY.',
    ]);
  });

  it('reads the engine settings, with defaults, and refuses values out of range', () => {
    const defaults = loadConfig({});
    assert.ok(defaults.ok);
    assert.deepEqual([defaults.config.fastLaneMinutes, defaults.config.fastLaneShare, defaults.config.healthStallMinutes], [2, 0.5, 15]);
    const set = loadConfig({ FAST_LANE_MINUTES: '5', FAST_LANE_SHARE: '0.25', HEALTH_STALL_MINUTES: '30' });
    assert.ok(set.ok);
    assert.deepEqual([set.config.fastLaneMinutes, set.config.fastLaneShare, set.config.healthStallMinutes], [5, 0.25, 30]);
    const bad = loadConfig({ FAST_LANE_MINUTES: 'abc', FAST_LANE_SHARE: '1.5', HEALTH_STALL_MINUTES: '0' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, [
      'FAST_LANE_MINUTES must be a number from 0.1 to 1440 (got "abc").',
      'FAST_LANE_SHARE must be a number from 0.05 to 0.95 (got "1.5").',
      'HEALTH_STALL_MINUTES must be a number from 1 to 10080 (got "0").',
    ]);
  });

  it('checks the sandbox settings like PORT and reports them with every other problem', () => {
    // SANDBOX_SCENARIO_SECONDS=abc once made the scenario step every millisecond; PLAYGROUND_PORT was read with Number().
    const result = loadConfig({ PORT: 'eighty', SANDBOX_SCENARIO_SECONDS: 'abc', PLAYGROUND_PORT: '99999', LOG_LEVEL: 'loud' });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, [
      'PORT must be a whole number from 1 to 65535 (got "eighty").',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud").',
      'SANDBOX_SCENARIO_SECONDS must be a whole number from 1 to 86400 (got "abc").',
      'PLAYGROUND_PORT must be a whole number from 1 to 65535 (got "99999").',
    ]);
    for (const value of ['0', '-5', '1.5', '1e9']) {
      const bad = loadConfig({ SANDBOX_SCENARIO_SECONDS: value });
      assert.ok(!bad.ok, value);
      assert.deepEqual(bad.problems, [`SANDBOX_SCENARIO_SECONDS must be a whole number from 1 to 86400 (got "${value}").`]);
    }
  });

  it('refuses the same port for the bot and the Playground in the sandbox', () => {
    const result = loadConfig({ PORT: '4000', PLAYGROUND_PORT: '4000' });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, ['PORT and PLAYGROUND_PORT are both 4000: the bot and the Agents Playground need different ports.']);
  });

  it('checks the Partner Center settings in the sandbox too, and applies the budget and timeout there', () => {
    const bad = loadConfig({ PARTNER_CENTER_REQUESTS_PER_MINUTE: 'lots', PARTNER_CENTER_TIMEOUT_SECONDS: '0', PARTNER_CENTER_URL: 'nope' });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, [
      'PARTNER_CENTER_URL "nope" is not a valid http(s) URL.',
      'PARTNER_CENTER_REQUESTS_PER_MINUTE must be a whole number from 1 to 100000 (got "lots").',
      'PARTNER_CENTER_TIMEOUT_SECONDS must be a whole number from 1 to 600 (got "0").',
    ]);
    const good = loadConfig({ PARTNER_CENTER_REQUESTS_PER_MINUTE: '120', PARTNER_CENTER_TIMEOUT_SECONDS: '10' });
    assert.ok(good.ok);
    assert.equal(good.config.partnerCenter, null);
    assert.deepEqual([good.config.sandboxSettings.requestsPerMinute, good.config.sandboxSettings.timeoutMs], [120, 10_000]);
  });
});
