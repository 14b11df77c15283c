// Composition root: builds every part from the configuration and starts the HTTP server and the poller.
// main.ts adds the process concerns (environment, sandbox, signals); tests call startApp directly.
import { randomUUID } from 'node:crypto';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { pino, type DestinationStream, type Logger } from 'pino';
import { buttons as b, digestCard, welcomeCard } from './cards.js';
import { provisioningAlertCard } from './sources/provisioning/card.js';
import { threadAlertCard } from './sources/incidents/threadCard.js';
import { DeliveryPipeline, type AlertCards } from './engine/delivery.js';
import { OutboundPipeline, type OutboundDeps } from './engine/outbound.js';
import type { Destination } from './destinations/destination.js';
import { WebhookDestination } from './destinations/webhook.js';
import { ticketDestination } from './tickets/ticketSetup.js';
import { withEpisodeTicket, withTickets } from './tickets/cardTickets.js';
import { AlertEngine } from './engine/engine.js';
import { registerable, threadKindRegistry, type ThreadKindRegistry } from './sources/source.js';
import { healthReport } from './engine/health.js';
import { createMetrics } from './engine/metrics.js';
import { notReady } from './engine/readiness.js';
import { TeamsRateLimiter } from './engine/teamsRateLimiter.js';
import { BotFrameworkSender } from './engine/teamsSender.js';
import { CardActionRouter } from './bot/cardActions.js';
import { CommandRouter } from './bot/commandRouter.js';
import { serializeError } from './bot/failureLog.js';
import { cardReply } from './bot/reply.js';
import { TargetBook } from './bot/targets.js';
import { TeamsBot } from './bot/teamsBot.js';
import type { Config, PartnerCenterConfig } from './config.js';
import type { LineChange } from './domain/provisioningRecords.js';
import { EntraTokenProvider } from './partnerCenter/auth.js';
import { PartnerCenterClient } from './partnerCenter/client.js';
import type { CustomerDirectory } from './partnerCenter/customerDirectory.js';
import { MemoryCustomerDirectory } from './partnerCenter/memoryDirectory.js';
import { TableCustomerDirectory } from './partnerCenter/tableDirectory.js';
import { CustomerTable } from './store/postgres/customerTable.js';
import { OrderLineBook } from './partnerCenter/orderLines.js';
import { PartnerCenterPipeline } from './partnerCenter/http.js';
import { budgetShare } from './partnerCenter/budgetShare.js';
import { RefreshTokenWatch, type TokenStatus } from './partnerCenter/tokenStatus.js';
import { tokenNotice } from './engine/tokenNotices.js';
import { RateBudget, systemClock, type Clock } from './partnerCenter/rateBudget.js';
import { incidentSource } from './sources/incidents/index.js';
import { incidentThreadKind } from './sources/incidents/threadKind.js';
import { provisioningSource } from './sources/provisioning/index.js';
import { subscriptionAlertCard } from './sources/subscriptions/card.js';
import { subscriptionEpisodeKey } from './sources/subscriptions/alertEvents.js';
import { subscriptionSource } from './sources/subscriptions/index.js';
import { subscriptionThreadKind } from './sources/subscriptions/threadKind.js';
import { accessThreadKind } from './sources/access/threadKind.js';
import { accessSource } from './sources/access/index.js';
import { accessAlertCard } from './sources/access/card.js';
import { accessEpisodeKey } from './sources/access/model.js';
import { GraphClient } from './graph/client.js';
import { startServer } from './server.js';
import { openStore } from './store/openStore.js';
import { storeReachability } from './store/reachability.js';
import type { ProvisioningDelivery } from './store/state.js';
import type { StateStore } from './store/stateStore.js';

export interface AppOptions {
  config: Config & { partnerCenter: PartnerCenterConfig };
  log?: Logger;
  /** Used for Partner Center and Entra calls. */
  fetch?: typeof fetch;
  clock?: Clock;
  /** Off in tests that drive sweep rounds themselves with engine.sweepNow(): no cron, no fast lane. */
  schedule?: boolean;
  teamsLimiter?: TeamsRateLimiter;
  cycleConcurrency?: number;
  /** Engine settings a test or the bench may change (batch size, flush interval, edit spacing, send timeout). */
  engine?: { batchSize?: number; flushMs?: number; threadEditIntervalMs?: number; sendTimeoutMs?: number; cardEditIntervalMs?: number };
  /** Outbound destinations besides the configured webhooks (e.g. PSA tickets). */
  destinations?: Destination[];
  /** Outbound retry settings a test or the bench may change (first back-off, attempt timeout, give-up time). */
  outbound?: Pick<OutboundDeps, 'firstBackoffMs' | 'maxBackoffMs' | 'attemptTimeoutMs' | 'giveUpMs'>;
}

export interface App {
  url: string;
  port: number;
  store: StateStore;
  client: PartnerCenterClient;
  directory: CustomerDirectory;
  engine: AlertEngine;
  delivery: DeliveryPipeline;
  /** Alert events to webhooks and other outbound destinations, one queue per endpoint. */
  outbound: OutboundPipeline;
  health(): Promise<{ status: 'ok' | 'stalled'; [key: string]: unknown }>;
  /** The refresh token's condition (readiness, /healthz, the notices); `look()` checks the clock again. */
  tokenStatus: TokenStatus & { look(): void };
  close(): Promise<void>;
}

/**
 * Never log a secret: tokens, passwords and refresh tokens are censored wherever they appear. JSON lines to
 * stdout, or to `destination` (the sandbox's terminal formatter); an expected Partner Center failure is
 * logged without its stack.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    serializers: { err: serializeError },
    redact: {
      paths: ['*.authorization', '*.Authorization', '*.access_token', '*.refresh_token', '*.client_secret', '*.password', '*.refreshToken', '*.secret', '*.Secret', '*.privateKey', '*.ApiIntegrationCode'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export async function startApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const store = await openStore(config, log);
  // Gauges are read from the health report at scrape time; `health` is defined below, before the server starts.
  const metrics = createMetrics(() => health());

  const pc = config.partnerCenter;
  const usedNow = () => new Date(clock.now()).toISOString();
  const tokenStatus = new RefreshTokenWatch({
    record: { hasToken: () => Boolean(pc.refreshToken || store.ports.partnerCenterToken.refreshToken()), usedAt: () => store.ports.partnerCenterToken.usedAt() },
    now: () => clock.now(),
  });
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
      loadRefreshToken: async () => store.ports.partnerCenterToken.refreshToken(),
      saveRefreshToken: (token) => store.transaction((tx) => tx.partnerCenterToken.replace(token, usedNow())),
      markUsed: () => store.transaction((tx) => tx.partnerCenterToken.markUsed(usedNow())),
    },
    observer: tokenStatus,
    fetch: options.fetch,
    clock,
  });
  const budget = new RateBudget({ requestsPerMinute: pc.requestsPerMinute, clock });
  // Instances sharing a database split the partner's limit (budgetShare.ts); looked at with each heartbeat.
  const splitBudget = () => budget.setShare(budgetShare(store.coordination.leadership.report(), config.leaseSeconds * 2));
  const splitTimer = store.backend === 'postgres' ? setInterval(splitBudget, 5_000) : null;
  splitTimer?.unref();
  store.coordination.leadership.onChange(splitBudget);
  const pipeline = new PartnerCenterPipeline({
    baseUrl: pc.baseUrl,
    tokens,
    budget,
    fetch: options.fetch,
    clock,
    log,
    timeoutMs: pc.timeoutMs,
    onAnswer: metrics.partnerCenterAnswer,
  });
  const client = new PartnerCenterClient(pipeline);
  // With PostgreSQL the customers are rows every instance shares, not a list each one keeps (tableDirectory.ts).
  const directory: CustomerDirectory =
    store.backend === 'postgres' && config.databaseUrl
      ? await TableCustomerDirectory.open(client, await CustomerTable.open(config.databaseUrl, log), { clock })
      : new MemoryCustomerDirectory(client, { clock });
  const orders = new OrderLineBook(client);

  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(botAuthConfig(config)));
  adapter.onTurnError = async (context, error) => {
    log.error({ err: error, activityType: context.activity.type }, 'unhandled error in a turn');
    // An invoke is answered by the handler; a message gets a sentence, never the error itself.
    if (context.activity.type === 'message') {
      await context.sendActivity('Something went wrong on my side. It has been logged; please try again.').catch(() => undefined);
    }
  };

  const now = () => new Date(clock.now());
  const auto = options.schedule ?? true;
  const subscriptions = subscriptionSource({ pollMinutes: config.subscriptionPollMinutes, warnDays: config.subscriptionWarnDays });
  // GDAP from Microsoft Graph, by the same Entra app as Partner Center (client credentials only).
  const graph = new GraphClient({
    settings: { baseUrl: config.graphUrl, authorityHost: pc.authorityHost, tenantId: pc.tenantId, clientId: pc.clientId, clientSecret: pc.clientSecret, timeoutMs: pc.timeoutMs },
    clock,
  });
  const access = accessSource(graph, { pollMinutes: config.gdapPollMinutes, warnDays: config.accessWarnDays }, { clock, snapshots: async () => (await store.view({ accessSnapshots: 'all' })).accessSnapshots });
  const delivery = new DeliveryPipeline({
    store,
    sender: new BotFrameworkSender(adapter, config.bot?.appId ?? '', options.teamsLimiter ?? new TeamsRateLimiter({ clock }), metrics.teamsThrottled),
    cards: alertCards(directory, orders, store),
    threadKinds: threadKinds(store),
    clock,
    log,
    auto,
    threadEditIntervalMs: options.engine?.threadEditIntervalMs ?? (auto ? undefined : 0),
    cardEditIntervalMs: options.engine?.cardEditIntervalMs ?? (auto ? undefined : 0),
    sendTimeoutMs: options.engine?.sendTimeoutMs,
    onOutcome: metrics.deliveryOutcome,
  });
  // PSA tickets (TICKETS=autotask or connectwise): the bot's `tickets` commands use the same destination.
  const tickets = config.tickets ? ticketDestination(config.tickets, store, { clock }) : null;
  const outbound = new OutboundPipeline({
    store,
    destinations: [...(config.webhooks?.urls.length ? [new WebhookDestination(config.webhooks, { now: () => clock.now() })] : []), ...(tickets ? [tickets] : []), ...(options.destinations ?? [])],
    clock,
    log,
    auto,
    ...options.outbound,
    onOutcome: metrics.outboundOutcome,
    onNotice: () => delivery.kick(),
  });
  const engine = new AlertEngine({
    outbound,
    client,
    directory,
    store,
    delivery,
    clock,
    log,
    schedule: config.pollSchedule,
    requestsPerMinute: pc.requestsPerMinute,
    auto,
    concurrency: options.cycleConcurrency,
    batchSize: options.engine?.batchSize,
    flushMs: options.engine?.flushMs,
    fastLaneMinutes: config.fastLaneMinutes,
    fastLaneShare: config.fastLaneShare,
    sources: [registerable(subscriptions), registerable(access)],
    batchSources: { incidents: incidentSource(), provisioning: provisioningSource() },
  });

  // Told once per conversation, not on every failed request; the clock is looked at hourly for the 90 days.
  tokenStatus.onChange((condition) => {
    if (condition !== 'expiring' && condition !== 'refused') return;
    const detail = tokenStatus.detail() ?? '';
    log.warn({ condition }, `${detail} Run npm run connect-partner-center.`);
    store
      .transaction((tx) => tokenNotice(tx, condition, detail, now()))
      .then((queued) => queued > 0 && delivery.kick())
      .catch((error: unknown) => log.warn({ err: error }, 'could not queue the refresh token notice'));
  });
  const tokenTimer = setInterval(() => tokenStatus.look(), TOKEN_LOOK_MS);
  tokenTimer.unref();

  const targets = new TargetBook(store);
  const ticketDesk = tickets && config.tickets ? { destination: tickets, settings: config.tickets } : null;
  const bot = new TeamsBot({
    targets,
    commands: new CommandRouter({ client, directory, orders, store, log, engine, subscriptions, access, ...(ticketDesk ? { tickets: ticketDesk } : {}) }),
    cardActions: new CardActionRouter({ client, directory, orders, store, log, engine, subscriptions, access, ...(ticketDesk ? { tickets: ticketDesk } : {}) }),
    welcome: () => [cardReply(welcomeCard({ buttons: [b.customers('', 1), b.help()] }))],
    allowedTenantIds: config.allowedTenantIds,
    log,
    now,
    beforeTurn: () => store.refresh(),
  });

  const health = () => healthReport({ store, engine, delivery, budget, clock, stallMs: config.healthStallMinutes * 60_000, tokenStatus, outbound });
  const reachability = storeReachability(config);
  const ready = () => notReady({ storeReachable: () => reachability.reachable(), tokenStatus, health });
  const server = await startServer({
    adapter,
    bot,
    host: config.host,
    port: config.port,
    health,
    ready,
    metrics: () => metrics.scrape(),
    healthToken: config.healthToken,
    log,
    authRequired: Boolean(config.bot),
  }).catch(async (error: unknown) => {
    // A taken port must not leave the state file locked by a process that goes on (a test, a retry).
    await reachability.close();
    await store.close();
    throw error;
  });
  log.info(
    {
      url: server.url,
      auth: config.bot ? 'Bot Framework JWT' : unauthenticatedBeyondLoopback(config) ? 'none' : 'none (loopback only)',
      partnerCenter: pc.baseUrl,
      store: store.backend === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : config.dataFile,
    },
    config.bot || unauthenticatedBeyondLoopback(config)
      ? 'Partner Alerts listening'
      : 'Partner Alerts listening on loopback only: no MicrosoftAppId, so no Bot Framework authentication',
  );
  // Allowed on purpose (compose's private network, behind Caddy), but never quietly.
  if (unauthenticatedBeyondLoopback(config)) {
    log.warn(
      { host: config.host },
      `Partner Alerts listens on ${config.host} WITHOUT Bot Framework authentication (no MicrosoftAppId, LISTEN_ADDRESS set): keep this port on a private network`,
    );
  }

  // Warm the customer directory so the first command does not wait for a full listing; in the sweep's lane,
  // because at 50,000 customers that is 100 requests no chat command should queue behind.
  directory.warmUp({ correlationId: randomUUID(), lane: 'sweep' }).catch((error: unknown) => log.warn({ err: error }, 'could not list customers at start; will retry on demand'));
  // Deliveries queued before a restart go out now (start kicks delivery), and an interrupted round resumes.
  if (auto) engine.start();

  return {
    url: server.url,
    port: server.port,
    store,
    client,
    directory,
    engine,
    delivery,
    outbound,
    health,
    tokenStatus,
    close: async () => {
      if (splitTimer) clearInterval(splitTimer);
      clearInterval(tokenTimer);
      await engine.stop();
      await server.close();
      await reachability.close();
      await directory.close();
      await store.close(); // last: the engine's final writes land before the lock is given back
    },
  };
}

/** No app id, so nothing is checked, yet listening where more than this machine may reach it (LISTEN_ADDRESS). */
function unauthenticatedBeyondLoopback(config: Config): boolean {
  return !config.bot && config.host !== '127.0.0.1' && config.host !== '::1';
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

/** How often the refresh token's age is looked at: its 90 days are counted in days, an hour is plenty. */
const TOKEN_LOOK_MS = 3_600_000;

/** A provisioning alert waits this long at most for the order's product names; without them it says why. */
const ORDER_LINES_WAIT_MS = 5_000;

function alertCards(directory: CustomerDirectory, orders: OrderLineBook, store: StateStore): AlertCards {
  return {
    provisioning: async (delivery, now) => {
      const { customerId, orderId } = delivery.provisioning;
      // Names are resolved when the card is made (usually from memory: the watch read the order already),
      // in the sweep's lane, and never for longer than a send may take.
      const products = await orders.lines(
        { correlationId: randomUUID(), lane: 'sweep', signal: AbortSignal.timeout(ORDER_LINES_WAIT_MS) },
        customerId,
        orderId,
      );
      // With PostgreSQL the directory holds a bounded cache: bring this one customer to hand (its domain); without
      // the database the card keeps the name the delivery carries.
      await directory.prefetch([customerId]).catch(() => undefined);
      return provisioningAlertCard({
        customer: directory.find(customerId) ?? { id: customerId, companyName: delivery.customerName, domain: '', relationshipToPartner: 'unknown' },
        provisioning: delivery.provisioning,
        products,
        changes: deliveryChanges(delivery),
        final: delivery.final,
        updatedAt: now,
        interactive: true,
      });
    },
    summary: (report) => digestCard({ report }),
  };
}

/** Every source's card threads, as delivery posts them: each card with its episode's PSA ticket, as the card buttons render it too. */
function threadKinds(store: StateStore): ThreadKindRegistry {
  return threadKindRegistry([
    // The same rendering as the card buttons use, so an edit keeps the thread's mute and acknowledgement.
    incidentThreadKind((thread, now, { shrink }) => threadAlertCard(withTickets(store.ports.tickets, thread), now, { shrink })),
    subscriptionThreadKind((thread, now) =>
      subscriptionAlertCard(withEpisodeTicket(store.ports.tickets, thread, subscriptionEpisodeKey(thread.subscriptionId, thread.customerId, thread.episode)), now),
    ),
    accessThreadKind((thread, now) => accessAlertCard(withEpisodeTicket(store.ports.tickets, thread, accessEpisodeKey(thread.customerId, thread.openedAt)), now)),
  ]);
}

/** The lines that changed, as routing queued them; a delivery queued by an older release has only its note. */
function deliveryChanges(delivery: ProvisioningDelivery): LineChange[] {
  if (delivery.changes) return delivery.changes;
  return delivery.note.split('\n').flatMap((line) => {
    const match = /^Line (\d+): (.+) → (.+)$/.exec(line.trim());
    return match ? [{ lineItemNumber: Number(match[1]), from: match[2] === 'new' ? null : (match[2] ?? null), to: match[3] ?? '' }] : [];
  });
}

