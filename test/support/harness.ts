// The whole bot over real HTTP: the Partner Center simulator, the app (restify + CloudAdapter + lowdb on
// disk) and a fake Bot Connector that records what the bot sends.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sandbox/simulator.js';
import { FakeConnector, type TeamsLimits } from './fakeConnector.js';
import { message, sendToBot, TENANT, type ActivityOptions } from './activities.js';

/** Real time, but waits (retry backoff, Retry-After) are recorded and cut short so tests stay fast. */
export interface RecordingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  sleeps: number[];
}

export function recordingClock(): RecordingClock {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    },
  };
}

export interface Harness {
  clock: RecordingClock;
  sim: Simulator;
  connector: FakeConnector;
  app: App;
  dataFile: string;
  /** Sends a chat message as Ana (in the incidents channel unless told otherwise) and returns the HTTP status. */
  say(text: string, options?: Partial<ActivityOptions>): Promise<number>;
  /** Starts another app on the same state file (a restart). */
  restart(): Promise<App>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  config?: Partial<Config>;
  app?: Partial<AppOptions>;
  limits?: TeamsLimits;
  dataFile?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ ...options.sim });
  const connector = await new FakeConnector(options.limits ?? null).start();
  const dataFile = options.dataFile ?? path.join(await mkdtemp(path.join(tmpdir(), 'pa-e2e-')), 'state.json');
  const config: AppOptions['config'] = {
    ...(options.config as Partial<AppOptions['config']>),
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
    dataFile,
    allowedTenantIds: [TENANT],
    pollSchedule: '*/5 * * * *',
    logLevel: 'silent',
  };
  Object.assign(config, options.config);
  const clock = recordingClock();
  const launch = () => startApp({ config, log: pino({ level: 'silent' }), schedule: false, clock, ...options.app });
  let app = await launch();
  const harness: Harness = {
    clock,
    sim,
    connector,
    get app() {
      return app;
    },
    dataFile,
    say: async (text, activityOptions) => {
      const { status } = await sendToBot(app.url, message(text, { serviceUrl: connector.url, ...activityOptions }));
      return status;
    },
    restart: async () => {
      await app.close();
      app = await launch();
      return app;
    },
    close: async () => {
      await app.close();
      await connector.close();
      await sim.close();
    },
  };
  return harness;
}
