// Starts Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground, the Teams emulator) as a
// child process for `npm start` (the sandbox) and for tests, and stops it again without leftovers.
//
// What the CLI does on its own, and what this wrapper changes:
// - It listens on every interface (`server.listen(port)`); a tiny preload (`--import`) makes every
//   port-only `listen` bind to `host` (default 127.0.0.1) instead, because its mock connector takes any
//   request without authentication.
// - It falls back to a random port when the requested one is busy, and prints "Listening on <port>" on
//   stdout only when stdout is not a TTY. The activities it sends carry serviceUrl
//   `http://localhost:<port>/_connector` unless `--service-url` is given; we pick the port first and
//   pass a matching `--service-url`, so a silent fallback is detected (and retried) instead of sending
//   the bot to a dead serviceUrl.
// - Everything it logs goes to a file (default `./devTools/m365agentsplayground.log`, deleted at each
//   start), not to the console. We give every instance its own working directory and log file.
// - Readiness: `GET /_debug/ping` answers 200 "pong" once the routes are mounted (about 1 s after spawn).
// - It never stops when its parent dies. The preload exits it when the IPC channel to us closes.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, readSync, closeSync, statSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type PlaygroundOutputSource = 'stdout' | 'stderr' | 'logfile';

export interface StartPlaygroundOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  botEndpoint: string;
  /** Port to listen on. Default: a free port chosen by the OS. A busy explicit port is an error. */
  port?: number;
  /** Address to bind to and to put in `url`/`serviceUrl`. Default `127.0.0.1`. */
  host?: string;
  /**
   * Receives every output line of the Playground: its stdout/stderr and its log file (where all of its
   * console output goes, prefixed with the level: `log`, `warn`, `error`, `debug`, `info`).
   */
  log?: (line: string, source: PlaygroundOutputSource) => void;
  /** Fixed id for the personal chat (`--conversation-id`); otherwise a random UUID. */
  personalChatId?: string;
  /** A `.m365agentsplayground.yml` with custom users, chats, team and channels. Default: built-in config. */
  configPath?: string;
  /** The text of such a file, written into the work dir (e.g. sandboxPlaygroundConfig()); configPath wins. */
  configText?: string;
  /** Directory for the log file and the preload; kept on close. Default: a fresh temp dir, removed on close. */
  workDir?: string;
  /** Give up waiting for readiness after this long. Default 60 000 ms. */
  startTimeoutMs?: number;
}

export interface PlaygroundProcess {
  /** Base URL, e.g. `http://127.0.0.1:45123`; the web chat UI is served at `/`. */
  readonly url: string;
  readonly port: number;
  /** The mock Bot Connector the bot is told to answer to: `${url}/_connector`. */
  readonly serviceUrl: string;
  readonly pid: number;
  /** Where the Playground writes its log. */
  readonly logFile: string;
  readonly workDir: string;
  /** Kills the process (group), waits until it has exited, removes the temp dir. Idempotent. */
  close(): Promise<void>;
}

export class PlaygroundStartError extends Error {
  constructor(
    message: string,
    /** The last output lines (stdout, stderr, log file) of the failed process. */
    readonly output: readonly string[],
  ) {
    super(output.length > 0 ? `${message}\n--- last Playground output ---\n${output.join('\n')}` : message);
    this.name = 'PlaygroundStartError';
  }
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_START_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 5_000;
const OUTPUT_TAIL_LINES = 40;
const MAX_LINE_CHARS = 2_000;
const PORT_RACE_ATTEMPTS = 3;

/** Environment variable read by the preload; also names the process as ours in `ps e`. */
const BIND_HOST_ENV = 'PARTNER_ALERTS_PLAYGROUND_BIND_HOST';
/** A temp dir the preload removes when the parent dies without close(). */
const CLEANUP_DIR_ENV = 'PARTNER_ALERTS_PLAYGROUND_CLEANUP_DIR';

const PRELOAD_SOURCE = `// Written by partner-alerts src/sandbox/playground.ts; loaded with --import into the Playground CLI.
import net from 'node:net';
import { rmSync } from 'node:fs';
const host = process.env.${BIND_HOST_ENV};
if (host) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    const first = args[0];
    if (typeof first === 'number' || (typeof first === 'string' && /^\\d+$/.test(first))) {
      if (typeof args[1] !== 'string') args.splice(1, 0, host);
    } else if (first && typeof first === 'object' && 'port' in first && !('host' in first) && !('path' in first)) {
      args[0] = { ...first, host };
    }
    return listen.apply(this, args);
  };
}
// Leave when the parent goes away (even if it was SIGKILLed): no orphaned Playgrounds.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => {
    const dir = process.env.${CLEANUP_DIR_ENV};
    if (dir) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {}
    }
    process.exit(0);
  });
}
`;

/** Live children, killed synchronously if the parent exits without closing them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) killTree(child, 'SIGKILL');
  });
}

export async function startPlayground(options: StartPlaygroundOptions): Promise<PlaygroundProcess> {
  const endpoint = new URL(options.botEndpoint); // throws early on a malformed endpoint
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new Error(`botEndpoint must be an http(s) URL, got ${options.botEndpoint}`);
  }
  const host = options.host ?? DEFAULT_HOST;
  const explicitPort = options.port !== undefined && options.port !== 0;
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'partner-alerts-playground-'));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = explicitPort ? (options.port as number) : await freePort(host);
      try {
        return await launch({ ...options, host, port, workDir, ownWorkDir });
      } catch (error) {
        const raced = error instanceof PortTakenError;
        if (!raced || explicitPort || attempt >= PORT_RACE_ATTEMPTS) {
          throw raced
            ? new PlaygroundStartError(
                `Agents Playground could not listen on ${host}:${port} (in use); it moved to port ${error.actualPort}`,
                error.output,
              )
            : error;
        }
        // Someone took the free port between our probe and the Playground's listen: try another one.
      }
    }
  } catch (error) {
    if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

class PortTakenError extends Error {
  constructor(
    readonly actualPort: number,
    readonly output: readonly string[],
  ) {
    super(`port taken, Playground moved to ${actualPort}`);
  }
}

interface LaunchOptions extends StartPlaygroundOptions {
  host: string;
  port: number;
  workDir: string;
  ownWorkDir: boolean;
}

async function launch(options: LaunchOptions): Promise<PlaygroundProcess> {
  const { host, port, workDir } = options;
  const cliPath = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  const preloadPath = join(workDir, 'playground-preload.mjs');
  writeFileSync(preloadPath, PRELOAD_SOURCE);
  const logFile = join(workDir, `playground-${port}.log`);
  // A config given as text goes into the work dir, like the log file.
  let configPath = options.configPath;
  if (configPath === undefined && options.configText !== undefined) {
    configPath = join(workDir, '.m365agentsplayground.yml');
    writeFileSync(configPath, options.configText);
  }
  const url = `http://${urlHost(host)}:${port}`;
  const serviceUrl = `${url}/_connector`;

  const args = [
    '--import',
    pathToFileURL(preloadPath).href,
    cliPath,
    '--channel-id',
    'msteams',
    '--disable-telemetry',
    '--app-endpoint',
    options.botEndpoint,
    '--port',
    String(port),
    '--service-url',
    serviceUrl,
  ];
  if (options.personalChatId !== undefined) args.push('--conversation-id', options.personalChatId);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: 'none',
    M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    // A path that does not exist selects the built-in config; never pick up a stray file from the cwd.
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath ?? join(workDir, 'no-config.yml'),
    M365_AGENTS_PLAYGROUND_RECORDING_FILE: join(workDir, `events-recording-${port}.log`),
    [BIND_HOST_ENV]: host,
  };
  if (options.ownWorkDir) env[CLEANUP_DIR_ENV] = workDir;
  else delete env[CLEANUP_DIR_ENV];
  // Our own flags decide these; inherited values would only confuse. NODE_OPTIONS is dropped so that a
  // test runner's loaders or an --inspect port are not applied to the Playground as well.
  delete env.TEAMSAPPTESTER_PORT;
  delete env.M365_AGENTS_PLAYGROUND_SERVICE_URL;
  delete env.M365_AGENTS_PLAYGROUND_CONVERSATION_ID;
  delete env.NODE_OPTIONS;

  const child = spawn(process.execPath, args, {
    cwd: workDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Own process group, so close() can signal the whole tree.
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  live.add(child);
  installExitHook();

  const tail: string[] = [];
  const remember = (line: string, source: PlaygroundOutputSource): void => {
    const clipped = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
    tail.push(source === 'logfile' ? clipped : `[${source}] ${clipped}`);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    options.log?.(line, source);
  };

  let listeningPort: number | undefined;
  let onListening: (() => void) | undefined;
  splitLines(child.stdout, (line) => {
    const match = /^Listening on (\d+)\s*$/.exec(line);
    if (match?.[1] !== undefined) {
      listeningPort = Number(match[1]);
      onListening?.();
    }
    remember(line, 'stdout');
  });
  splitLines(child.stderr, (line) => remember(line, 'stderr'));

  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      live.delete(child);
      resolve();
    });
  });
  // An IPC channel to a dead child raises EPIPE errors; they are not ours to report.
  child.on('error', () => undefined);

  const logTail = new FileTail(logFile, (line) => remember(line, 'logfile'));
  const exitedWithin = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (exited) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      void exitPromise.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  const stop = async (): Promise<void> => {
    if (!exited && child.pid !== undefined) {
      killTree(child, 'SIGTERM');
      if (!(await exitedWithin(KILL_GRACE_MS))) {
        killTree(child, 'SIGKILL');
        await exitedWithin(KILL_GRACE_MS);
      }
    }
    logTail.stop();
    logTail.drain();
    child.stdout?.destroy();
    child.stderr?.destroy();
    if (child.connected) child.disconnect();
  };

  try {
    await waitUntilReady({
      child,
      exitPromise,
      url,
      port,
      timeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      listeningPort: () => listeningPort,
      setOnListening: (fn) => (onListening = fn),
    });
  } catch (error) {
    await stop();
    if (error instanceof PortTakenError) throw new PortTakenError(error.actualPort, [...tail]);
    const message = error instanceof Error ? error.message : String(error);
    throw new PlaygroundStartError(message, [...tail]);
  }
  logTail.start();

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    serviceUrl,
    pid: child.pid ?? -1,
    logFile,
    workDir,
    close: () => {
      closing ??= stop().finally(() => {
        if (options.ownWorkDir) rmSync(workDir, { recursive: true, force: true });
      });
      return closing;
    },
  };
}

interface ReadyWait {
  child: ChildProcess;
  exitPromise: Promise<void>;
  url: string;
  port: number;
  timeoutMs: number;
  listeningPort: () => number | undefined;
  setOnListening: (fn: () => void) => void;
}

async function waitUntilReady(wait: ReadyWait): Promise<void> {
  const deadline = Date.now() + wait.timeoutMs;
  let failure: Error | undefined;
  void wait.exitPromise.then(() => {
    const { exitCode, signalCode } = wait.child;
    failure ??= new Error(
      `Agents Playground exited before it was ready (exit code ${exitCode ?? 'none'}, signal ${signalCode ?? 'none'})`,
    );
  });
  wait.child.once('error', (error) => {
    failure ??= new Error(`Agents Playground could not be started: ${error.message}`);
  });

  // 1. The CLI announces its real port; it differs from ours when ours was taken meanwhile.
  while (wait.listeningPort() === undefined) {
    if (failure) throw failure;
    if (Date.now() >= deadline) throw timeoutError(wait);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 100);
      wait.setOnListening(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  const actual = wait.listeningPort();
  if (actual !== wait.port) throw new PortTakenError(actual ?? -1, []);

  // 2. Routes are mounted right after listen; ping until they answer.
  for (;;) {
    if (failure) throw failure;
    if (Date.now() >= deadline) throw timeoutError(wait);
    try {
      const response = await fetch(`${wait.url}/_debug/ping`, { signal: AbortSignal.timeout(2_000) });
      const body = await response.text();
      if (response.ok && body === 'pong') return;
    } catch {
      // not up yet
    }
    await delay(100);
  }
}

function timeoutError(wait: ReadyWait): Error {
  return new Error(
    `Agents Playground was not ready at ${wait.url}/_debug/ping within ${wait.timeoutMs} ms`,
  );
}

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    } else {
      process.kill(-child.pid, signal); // negative pid: the whole process group
    }
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline).replace(/\r$/, ''));
      buffered = buffered.slice(newline + 1);
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
    buffered = '';
  });
}

/** Follows the Playground's log file by polling (it only ever appends after start-up). */
class FileTail {
  private offset = 0;
  private partial = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
  ) {}

  start(): void {
    this.drain();
    this.timer = setInterval(() => this.drain(), 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  drain(): void {
    if (!existsSync(this.path)) return;
    let fd: number | undefined;
    try {
      const size = statSync(this.path).size;
      if (size < this.offset) this.offset = 0; // recreated
      if (size === this.offset) return;
      fd = openSync(this.path, 'r');
      const buffer = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.subarray(0, read).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line) this.onLine(line);
    } catch {
      // the file may vanish with its directory at close
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** A port that was free on `host` a moment ago. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error(`no free port on ${host}`))));
    });
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
