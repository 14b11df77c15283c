// Composition root: builds every part from the configuration and starts the HTTP server and the poller.
// main.ts adds the process concerns (environment, sandbox, signals); tests call startApp directly.
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { pino, type Logger } from 'pino';
import { provisioningAlertCard, threadAlertCard, welcomeCard } from './cards.js';
import { runCycle } from './engine/cycle.js';
import { DeliveryPipeline, type AlertCards } from './engine/delivery.js';
import { AlertScheduler } from './engine/scheduler.js';
import { TeamsRateLimiter } from './engine/teamsRateLimiter.js';
import { BotFrameworkSender } from './engine/teamsSender.js';
import { CardActionRouter } from './bot/cardActions.js';
import { CommandRouter } from './bot/commandRouter.js';
import { cardReply } from './bot/reply.js';
import { TargetBook } from './bot/targets.js';
import { TeamsBot } from './bot/teamsBot.js';
import type { Config, PartnerCenterConfig } from './config.js';
import { EntraTokenProvider } from './partnerCenter/auth.js';
import { PartnerCenterClient } from './partnerCenter/client.js';
import { CustomerDirectory } from './partnerCenter/customerDirectory.js';
import { PartnerCenterPipeline } from './partnerCenter/http.js';
import { RateBudget, systemClock, type Clock } from './partnerCenter/rateBudget.js';
import { startServer } from './server.js';
import { LowdbStateStore } from './store/lowdbStore.js';
import type { StateStore } from './store/stateStore.js';

export interface AppOptions {
  config: Config & { partnerCenter: PartnerCenterConfig };
  log?: Logger;
  /** Used for Partner Center and Entra calls. */
  fetch?: typeof fetch;
  clock?: Clock;
  /** Off in tests that drive cycles themselves with pollNow(). */
  schedule?: boolean;
  teamsLimiter?: TeamsRateLimiter;
  cycleConcurrency?: number;
}

export interface App {
  url: string;
  port: number;
  store: StateStore;
  client: PartnerCenterClient;
  directory: CustomerDirectory;
  scheduler: AlertScheduler;
  delivery: DeliveryPipeline;
  health(): Record<string, unknown>;
  close(): Promise<void>;
}

/** Never log a secret: tokens, passwords and refresh tokens are censored wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['*.authorization', '*.Authorization', '*.access_token', '*.refresh_token', '*.client_secret', '*.password', '*.refreshToken'],
      censor: '[redacted]',
    },
  });
}

export async function startApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const store = await LowdbStateStore.open(config.dataFile);

  const pc = config.partnerCenter;
  const tokens = new EntraTokenProvider({
    credentials: {
      authorityHost: pc.authorityHost,
      tenantId: pc.tenantId,
      clientId: pc.clientId,
      clientSecret: pc.clientSecret,
      refreshToken: pc.refreshToken,
      resource: 'https://api.partnercenter.microsoft.com',
    },
    refreshTokenStore: {
      loadRefreshToken: async () => store.read().auth.refreshToken,
      saveRefreshToken: (token) => store.update((state) => void (state.auth.refreshToken = token)),
    },
    fetch: options.fetch,
    clock,
  });
  const pipeline = new PartnerCenterPipeline({
    baseUrl: pc.baseUrl,
    tokens,
    budget: new RateBudget({ requestsPerMinute: pc.requestsPerMinute, clock }),
    fetch: options.fetch,
    clock,
    log,
    timeoutMs: pc.timeoutMs,
  });
  const client = new PartnerCenterClient(pipeline);
  const directory = new CustomerDirectory(client, { clock });

  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(botAuthConfig(config)));
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityType: context.activity.type }, 'unhandled error in a turn');
    // An invoke is answered by the handler; a message gets a sentence, never the error itself.
    if (context.activity.type === 'message') {
      await context.sendActivity('Something went wrong on my side. It has been logged; please try again.').catch(() => undefined);
    }
  };

  const now = () => new Date(clock.now());
  const delivery = new DeliveryPipeline({
    store,
    sender: new BotFrameworkSender(adapter, config.bot?.appId ?? '', options.teamsLimiter ?? new TeamsRateLimiter({ clock })),
    cards: alertCards(),
    clock,
    log,
  });
  const scheduler = new AlertScheduler({
    schedule: config.pollSchedule,
    runCycle: (correlationId) => runCycle({ client, directory, store, log, now, concurrency: options.cycleConcurrency }, correlationId),
    deliver: () => delivery.deliverPending(),
    log,
  });

  const targets = new TargetBook(store);
  const bot = new TeamsBot({
    targets,
    commands: new CommandRouter({ client, directory, store, log, pollNow: () => scheduler.pollNow() }),
    cardActions: new CardActionRouter({ client, directory, store, log }),
    welcome: () => [cardReply(welcomeCard())],
    allowedTenantIds: config.allowedTenantIds,
    log,
    now,
  });

  const health = () => healthReport(store);
  const server = await startServer({ adapter, bot, host: config.host, port: config.port, health, log });
  log.info(
    { url: server.url, auth: config.bot ? 'Bot Framework JWT' : 'none (loopback only)', partnerCenter: pc.baseUrl, dataFile: config.dataFile },
    config.bot ? 'Partner Alerts listening' : 'Partner Alerts listening on loopback only: no MicrosoftAppId, so no Bot Framework authentication',
  );

  // Warm the customer directory so the first command does not wait for a full listing.
  directory.reload().catch((error: unknown) => log.warn({ err: error }, 'could not list customers at start; will retry on demand'));
  if (options.schedule ?? true) {
    scheduler.start();
    // Deliveries queued before a restart go out now, not at the next cycle.
    delivery.deliverPending().catch((error: unknown) => log.error({ err: error }, 'delivering the outbox at start failed'));
  }

  return {
    url: server.url,
    port: server.port,
    store,
    client,
    directory,
    scheduler,
    delivery,
    health,
    close: async () => {
      await scheduler.stop();
      await server.close();
    },
  };
}

function botAuthConfig(config: Config): ConfigurationBotFrameworkAuthenticationOptions {
  if (!config.bot) return {};
  return {
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
  };
}

function alertCards(): AlertCards {
  return {
    // The same rendering as the card buttons use, so an edit keeps the thread's mute and acknowledgement.
    incident: (thread, now, { shrink }) => threadAlertCard(thread, now, { shrink }),
    provisioning: (delivery, now) =>
      provisioningAlertCard({
        customer: { id: delivery.provisioning.customerId, companyName: delivery.customerName, domain: '', relationshipToPartner: 'unknown' },
        provisioning: delivery.provisioning,
        updatedAt: now,
      }),
  };
}

function healthReport(store: StateStore): Record<string, unknown> {
  const state = store.read();
  const targets = Object.values(state.targets);
  return {
    status: 'ok',
    lastCycle: state.lastCycle,
    deliveries: {
      pending: state.outbox.length,
      failing: state.outbox.filter((delivery) => delivery.attempts > 0).length,
    },
    targets: { active: targets.filter((target) => target.active).length, inactive: targets.filter((target) => !target.active).length },
    watches: state.watches.length,
  };
}
