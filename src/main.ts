// `npm start`: read .env and the environment, then run against Partner Center — or, with no Partner Center
// credentials, run the sandbox: the built-in simulator, the bot on loopback, and the Agents Playground.
import { existsSync } from 'node:fs';
import { createLogger, startApp, type App } from './app.js';
import { loadConfig, type Config, type PartnerCenterConfig } from './config.js';
import { startPlayground, type PlaygroundProcess } from './sandbox/playground.js';
import { sandboxPlaygroundConfig } from './sandbox/playgroundConfig.js';
import { pacerQuestions, ScenarioPacer } from './sandbox/scenarioPacer.js';
import { startSimulator, type Simulator } from './sandbox/simulator.js';
import { sandboxWebhookSettings } from './sandbox/simWebhook.js';
import { terminalLogStream } from './sandbox/terminalLog.js';
import { StateFileError } from './store/state.js';
import { sandboxTicketSettings } from './sandbox/psaFakeWire.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const result = loadConfig(process.env);
  if (!result.ok) {
    console.error(`Partner Alerts cannot start; fix the configuration:\n${result.problems.map((problem) => `  - ${problem}`).join('\n')}`);
    process.exitCode = 1;
    return;
  }
  const config = result.config;
  // Every setting, the sandbox's too, comes checked from loadConfig: nothing below reads process.env.
  // The sandbox's terminal gets readable lines; production keeps JSON for the log pipeline.
  const log = createLogger(config.logLevel, config.sandbox ? terminalLogStream() : undefined);
  const closers: (() => Promise<void>)[] = [];
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    // The engine commits what it has and keeps its cursor within a few seconds; never hang past 10 s.
    setTimeout(() => {
      console.error('Partner Alerts did not stop within 10 s; exiting anyway (the sweep resumes from its cursor).');
      process.exit(1);
    }, 10_000).unref();
    for (const close of closers.reverse()) await close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let simulator: Simulator | null = null;
  let partnerCenter = config.partnerCenter;
  if (config.sandbox) {
    simulator = await startSimulator({ latencyMs: 40, webhookLog: (line) => console.log(line), psa: { log: (line) => console.log(line) } });
    closers.push(() => simulator?.close() ?? Promise.resolve());
    partnerCenter = sandboxPartnerCenter(simulator, config);
  }
  if (!partnerCenter) throw new Error('unreachable: production config always has Partner Center settings');

  let app: App;
  const appConfig = sandboxDefaults(config, partnerCenter, simulator);
  try {
    app = await startApp({ config: appConfig, log });
  } catch (error) {
    const reason =
      error instanceof StateFileError
        ? error.message
        : (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
          ? `port ${config.port} is already in use (is Partner Alerts already running?). Stop the other process or set PORT.`
          : null;
    if (reason === null) throw error;
    console.error(`Partner Alerts cannot start: ${reason}`);
    process.exitCode = 1;
    await Promise.all(closers.map((close) => close()));
    return;
  }
  closers.push(() => app.close());
  if (!simulator) return;

  // The scripted scenario moves on by itself from the first watch, so a watcher sees an incident open, change
  // and resolve, from its first "New" card on.
  const stepSeconds = config.sandboxSettings.scenarioSeconds;
  const sandboxApp = app;
  const pacer = new ScenarioPacer({ scenario: simulator.scenario, stepMs: stepSeconds * 1000, asks: pacerQuestions(sandboxApp.store.ports), say: (line) => console.log(line) });
  pacer.start();
  closers.push(async () => pacer.stop());
  // In a container or compose nobody could open the Playground's page: the simulator and the bot are enough.
  // TICKETS without credentials: the tickets open in the simulator's PSA fake, listed at this address.
  const ticketsLine = appConfig.tickets && appConfig.tickets !== config.tickets ? [`  PSA tickets (${appConfig.tickets.psa.kind}, the simulator's fake): ${simulator.url}/sandbox/tickets`] : [];
  if (!config.sandboxSettings.playground) {
    console.log(`\nPartner Alerts sandbox without the Playground (SANDBOX_PLAYGROUND=false): bot at ${app.url}/api/messages, Partner Center simulator at ${simulator.url}.\n${ticketsLine.map((line) => `${line}\n`).join('')}`);
    return;
  }

  let playground: PlaygroundProcess;
  try {
    playground = await startPlaygroundOnFreePort(`${app.url}/api/messages`, config.sandboxSettings.playgroundPort);
  } catch (error) {
    log.error({ err: error }, 'the Agents Playground did not start; the bot still runs');
    console.log(`\nPartner Alerts sandbox: bot at ${app.url}/api/messages (the Playground failed to start, see the log).\n`);
    return;
  }
  closers.push(() => playground.close());
  console.log(
    [
      '',
      `  Partner Alerts sandbox is running. Open ${playground.url} in a browser.`,
      ...(playground.port === config.sandboxSettings.playgroundPort
        ? []
        : [`  (PLAYGROUND_PORT ${config.sandboxSettings.playgroundPort} was taken, so the Playground uses ${playground.port}.)`]),
      '  Try: "status for contoso", "customers con", "subscriptions for fabrikam", "orders for contoso", "access expiring", "watch contoso", then "poll now".',
      `  Partner Center simulator: ${simulator.url}   Ctrl+C stops everything.`,
      ...ticketsLine,
      `  The scripted scenario ${pacer.running ? 'runs' : 'starts at your first "watch"'}: a step every ${stepSeconds}s; the terminal says when it starts.`,
      '',
    ].join('\n'),
  );
}

/** PLAYGROUND_PORT (Microsoft's usual one by default) when it is free, so the URL stays the same between runs. */
async function startPlaygroundOnFreePort(botEndpoint: string, port: number): Promise<PlaygroundProcess> {
  try {
    return await startPlayground({ botEndpoint, port, configText: sandboxPlaygroundConfig() });
  } catch {
    return startPlayground({ botEndpoint, configText: sandboxPlaygroundConfig() });
  }
}

function sandboxPartnerCenter(simulator: Simulator, config: Config): PartnerCenterConfig {
  return {
    baseUrl: simulator.url,
    authorityHost: simulator.authorityHost,
    tenantId: simulator.credentials.tenantId,
    clientId: simulator.credentials.clientId,
    clientSecret: simulator.credentials.clientSecret,
    refreshToken: simulator.credentials.refreshToken,
    requestsPerMinute: config.sandboxSettings.requestsPerMinute,
    timeoutMs: config.sandboxSettings.timeoutMs,
  };
}

/** The Playground is a stand-in Teams with its own tenant: the sandbox lets it in. */
function sandboxDefaults(config: Config, partnerCenter: PartnerCenterConfig, simulator: Simulator | null): Config & { partnerCenter: PartnerCenterConfig } {
  if (!config.sandbox || !simulator) return { ...config, partnerCenter };
  return {
    ...config,
    partnerCenter,
    // Without WEBHOOK_URLS the webhooks go to the simulator's receiver, which prints each one.
    webhooks: sandboxWebhookSettings(config.webhooks, simulator.webhooks, simulator.url),
    // TICKETS without credentials: the simulator's fake of that PSA, so tickets open as the scenario runs.
    tickets: sandboxTicketSettings(config.tickets ?? null, simulator.url),
    allowedTenantIds: config.allowedTenantIds.length > 0 ? config.allowedTenantIds : ['*'],
    // The simulator plays Microsoft Graph's GDAP routes on the same address as Partner Center.
    graphUrl: partnerCenter.baseUrl,
  };
}

main().catch((error: unknown) => {
  console.error('Partner Alerts stopped on an unexpected error:', error);
  process.exitCode = 1;
});
