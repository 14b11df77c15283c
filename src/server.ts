// The HTTP face: Bot Framework activities on POST /api/messages, health on GET /healthz. Nothing else.
import restify from 'restify';
import type { CloudAdapter, ActivityHandler } from 'botbuilder';
import type { Logger } from 'pino';

export interface ServerOptions {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  host: string;
  port: number;
  health: () => unknown;
  log: Logger;
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

  server.post('/api/messages', async (req, res) => {
    try {
      await options.adapter.process(req, res, (context) => options.bot.run(context));
    } catch (error) {
      // CloudAdapter answers auth failures itself; anything reaching here is ours. Never echo it.
      options.log.error({ err: error }, 'activity processing failed');
      if (!res.headersSent) res.send(500);
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.json(200, options.health());
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
