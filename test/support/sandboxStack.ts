// The sandbox as `npm start` runs it, for end-to-end tests: the simulator, the app (no auth, loopback,
// its own state file) and the Agents Playground pointed at it. Polling is left to the test.
import { pino } from 'pino';
import { startApp, type App } from '../../src/app.js';
import { startPlayground, type PlaygroundProcess } from '../../src/sandbox/playground.js';
import { sandboxPlaygroundConfig } from '../../src/sandbox/playgroundConfig.js';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { simulatorConfig } from './appConfig.js';
import { PLAYGROUND } from './playgroundClient.js';

export interface SandboxStack {
  sim: Simulator;
  app: App;
  playground: PlaygroundProcess;
  /** Stops the Playground, then the app, then the simulator. */
  close(): Promise<void>;
}

export async function startSandboxStack(): Promise<SandboxStack> {
  const sim = await startSimulator();
  const app = await startApp({
    config: await simulatorConfig(sim, { sandbox: true, allowedTenantIds: [PLAYGROUND.tenantId] }),
    log: pino({ level: 'silent' }),
    schedule: false,
  });
  // The Teams `npm start` sets up: the bot named Partner Alerts, chats with the same ids at every start.
  const playground = await startPlayground({ botEndpoint: `${app.url}/api/messages`, configText: sandboxPlaygroundConfig() });
  return {
    sim,
    app,
    playground,
    close: async () => {
      await playground.close();
      await app.close();
      await sim.close();
    },
  };
}
