// The app's configuration for running against a simulator on loopback, as every end-to-end test needs it.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppOptions } from '../../src/app.js';
import type { Simulator } from '../../src/sandbox/simulator.js';
import { postgresServer } from './postgres.js';

export type AppConfig = AppOptions['config'];

/** No Bot Framework auth, a random port, a fresh state file, silent logs; `overrides` win. */
export async function simulatorConfig(sim: Simulator, overrides: Partial<AppConfig> = {}): Promise<AppConfig> {
  return {
    sandbox: false,
    bot: null,
    partnerCenter: {
      baseUrl: sim.url,
      authorityHost: sim.authorityHost,
      tenantId: sim.credentials.tenantId,
      clientId: sim.credentials.clientId,
      clientSecret: sim.credentials.clientSecret,
      refreshToken: sim.credentials.refreshToken,
      requestsPerMinute: 60_000,
      timeoutMs: 5_000,
    },
    port: 0,
    host: '127.0.0.1',
    dataFile: path.join(await mkdtemp(path.join(tmpdir(), 'pa-test-')), 'state.json'),
    // PA_TEST_STORE=postgres runs every end-to-end test on a fresh PostgreSQL database instead.
    databaseUrl: process.env.PA_TEST_STORE === 'postgres' ? ((await (await postgresServer())?.createDatabase()) ?? null) : null,
    leaseSeconds: 30,
    allowedTenantIds: [],
    pollSchedule: '*/5 * * * *',
    fastLaneMinutes: 2,
    fastLaneShare: 0.5,
    healthStallMinutes: 15,
    healthToken: null,
    subscriptionPollMinutes: 60,
    subscriptionWarnDays: 30,
    // The simulator serves Microsoft Graph's GDAP routes too.
    graphUrl: sim.url,
    gdapPollMinutes: 60,
    accessWarnDays: 30,
    logLevel: 'silent',
    sandboxSettings: { scenarioSeconds: 60, playgroundPort: 56_150, requestsPerMinute: 60_000, timeoutMs: 5_000, playground: true },
    ...overrides,
  };
}
