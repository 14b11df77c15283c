// The HTTP face: Bot Framework activities on POST /api/messages, health on GET /healthz. Nothing else.
import restify from 'restify';
import type { CloudAdapter, ActivityHandler } from 'botbuilder';
import type { Logger } from 'pino';

export interface ServerOptions {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  host: string;
  port: number;
  /** 503 when the report's status is not "ok" (the engine has stalled), so a load balancer or monitor sees it. */
  health: () => { status: string };
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

  server.get('/healthz', async (_req, res) => {
    const report = options.health();
    res.json(report.status === 'ok' ? 200 : 503, report);
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
