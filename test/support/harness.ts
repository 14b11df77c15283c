// The whole bot over real HTTP: the Partner Center simulator, the app (restify + CloudAdapter + lowdb on
// disk) and a fake Bot Connector that records what the bot sends.
import { pino } from 'pino';
import { startApp, type App, type AppOptions } from '../../src/app.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sandbox/simulator.js';
import { simulatorConfig, type AppConfig } from './appConfig.js';
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
  /** The PostgreSQL database the app uses instead of `dataFile` (PA_TEST_STORE=postgres), or null. */
  databaseUrl: string | null;
  /** Sends a chat message as Ana (in the incidents channel unless told otherwise) and returns the HTTP status. */
  say(text: string, options?: Partial<ActivityOptions>): Promise<number>;
  /** Starts another app on the same state file (a restart). */
  restart(): Promise<App>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: SimulatorOptions;
  config?: Partial<AppConfig>;
  /** Merged into the Partner Center settings pointing at the simulator (e.g. a short timeoutMs). */
  partnerCenter?: Partial<AppConfig['partnerCenter']>;
  app?: Partial<AppOptions>;
  limits?: TeamsLimits;
  dataFile?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ ...options.sim });
  const connector = await new FakeConnector(options.limits ?? null).start();
  const config = await simulatorConfig(sim, { allowedTenantIds: [TENANT], ...options.config });
  config.partnerCenter = { ...config.partnerCenter, ...options.partnerCenter };
  if (options.dataFile) config.dataFile = options.dataFile;
  const dataFile = config.dataFile;
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
    databaseUrl: config.databaseUrl,
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
