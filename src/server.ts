// The HTTP face: Bot Framework activities on POST /api/messages; /livez and /readyz for probes (open to
// all, one word each); /healthz and /metrics behind HEALTH_TOKEN (healthGuard.ts). Nothing else.
import restify from 'restify';
import type { CloudAdapter, ActivityHandler } from 'botbuilder';
import type { Logger } from 'pino';
import { guardVerdict } from './healthGuard.js';

export interface ServerOptions {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  host: string;
  port: number;
  /** 503 when the report's status is not "ok" (the engine has stalled), so a load balancer or monitor sees it. */
  health: () => Promise<{ status: string }>;
  /** GET /readyz: null when ready, else the one word that says why not (readiness.ts). */
  ready: () => Promise<string | null>;
  /** GET /metrics: the Prometheus exposition. */
  metrics: () => Promise<{ contentType: string; body: string }>;
  /** HEALTH_TOKEN: the bearer /healthz and /metrics require; null when not set. */
  healthToken?: string | null;
  log: Logger;
  /**
   * Bot Framework authentication is on (an app id is configured), so every request must prove itself
   * before anything else is said about it. Default false: the unauthenticated, loopback-only set-up.
   */
  authRequired?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Teams activities are a few KB; anything far larger is refused before it reaches the bot. */
const MAX_BODY_BYTES = 256 * 1024;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = restify.createServer({ name: 'partner-alerts' });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false }));

  const authRequired = options.authRequired ?? false;

  // botbuilder judges an activity's shape before its token and throws on a malformed one (a 500 with a
  // stack trace). So a request that is not an activity is answered here: 400 when nobody needs to sign,
  // and 401 when authentication is on, because a Bot Framework token is validated against the activity
  // (its channel and service URL): without one the request cannot be authenticated, and is not.
  const refuse = (res: restify.Response, problem: string) => {
    if (authRequired) {
      options.log.warn({ problem }, 'refused a request to /api/messages that is not an activity: unauthenticated (401)');
      res.json(401, { error: 'unauthorized' });
    } else {
      options.log.warn({ problem }, 'refused a malformed activity (400)');
      res.json(400, { error: problem });
    }
  };

  // Restify's JSON parser fails before the route runs; its own answer would echo the parser's message.
  server.on('InvalidContent', (req: restify.Request, res: restify.Response, _err: unknown, callback: () => void) => {
    if (req.getPath() === '/api/messages' && !res.headersSent) refuse(res, 'the body is not JSON');
    callback();
  });

  server.post('/api/messages', async (req, res) => {
    const problem = activityProblem(req.body);
    if (problem) return refuse(res, problem);
    try {
      await options.adapter.process(req, res, (context) => options.bot.run(context));
    } catch (error) {
      // CloudAdapter answers auth failures itself; anything reaching here is ours. Never echo the activity:
      // only the error's kind, a bounded first line of its message, and where it was thrown.
      options.log.error({ err: describeError(error) }, 'activity processing failed');
      if (!res.headersSent) res.send(500);
    }
  });

  const plain = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
  server.get('/livez', async (_req, res) => {
    res.sendRaw(200, 'ok', plain);
  });
  server.get('/readyz', async (_req, res) => {
    const why = await options.ready();
    res.sendRaw(why === null ? 200 : 503, why ?? 'ok', plain);
  });

  // Reachable from other machines (an app id, or LISTEN_ADDRESS without one): details need HEALTH_TOKEN.
  const guard = { token: options.healthToken ?? null, production: authRequired || !isLoopback(options.host) };
  if (guard.production && guard.token === null) {
    options.log.warn({}, 'HEALTH_TOKEN is not set: /healthz and /metrics answer 401 to everyone (/livez and /readyz stay open)');
  }
  /** 401 unless the request may read details; logs a wrong bearer, never the bearer itself. */
  const admitted = (req: restify.Request, res: restify.Response): boolean => {
    const verdict = guardVerdict(req.header('authorization'), guard);
    if (verdict === 'allowed') return true;
    if (verdict === 'wrong') options.log.warn({ path: req.getPath() }, 'refused a wrong HEALTH_TOKEN bearer (401)');
    else options.log.debug({ path: req.getPath(), verdict }, 'refused a request without the HEALTH_TOKEN bearer (401)');
    res.header('WWW-Authenticate', 'Bearer');
    res.json(401, { error: 'unauthorized' });
    return false;
  };
  server.get('/healthz', async (req, res) => {
    if (!admitted(req, res)) return;
    const report = await options.health();
    res.json(report.status === 'ok' ? 200 : 503, report);
  });
  server.get('/metrics', async (req, res) => {
    if (!admitted(req, res)) return;
    const { contentType, body } = await options.metrics();
    res.sendRaw(200, body, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets (the Playground holds some) would otherwise delay shutdown.
        (server.server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

function isLoopback(host: string): boolean {
  return /^127\./.test(host) || host === '::1' || host === 'localhost';
}

/** Why `body` is not something CloudAdapter can process, or null when it is. */
function activityProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not a JSON object';
  const type = (body as Record<string, unknown>)['type'];
  if (typeof type !== 'string' || type === '') return 'the activity has no type';
  return null;
}

/** An error reduced to what is safe to log: no enumerable properties (which may carry the activity). */
function describeError(error: unknown): { type: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { type: typeof error, message: '(not an Error)' };
  const message = (error.message.split('\n')[0] ?? '').slice(0, 200);
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return { type: error.name, message, ...(frames.length > 0 ? { stack: frames.join('\n') } : {}) };
}
