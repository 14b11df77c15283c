// follower_rss_mb_50k (issue 22): an instance that does not lead, on the database of the scale run's leader
// (bench/scaleChild.ts on PostgreSQL starts it once its own app holds the lease, before the rounds, as a
// second instance runs beside the leader in production). The follower is the whole app in a process of its
// own (bench/followerChild.ts). After the leader's two rounds and its figures, it answers a few chat
// commands through its real /api/messages (replies at the scale run's Bot Connector), says on /healthz that
// it does not lead, and then reports its RSS, and its heap after a full GC. The leader's figures from the
// same run are its baseline.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FOLLOWERS_SHARE } from '../src/partnerCenter/budgetShare.js';
import { message, sendToBot } from '../test/support/activities.js';
import type { InstanceHealth } from '../test/support/instances.js';
import type { BenchConnector } from './connector.js';
import type { FollowerChildMessage, FollowerChildRequest, FollowerChildSettings } from './followerChild.js';
import { round, row, type Row } from './support.js';

export interface FollowerResult {
  /** Fork → its app listening (the store opened: loads the state from the database). */
  startS: number;
  rssMb: number;
  heapUsedMb: number;
  heapAfterGcMb: number;
  peakRssMb: number;
  /** What its /healthz said (store.leading), and its lease as the process itself sees it. */
  healthLeading: boolean | null;
  leaseLeading: boolean;
  commands: { text: string; ms: number; ok: boolean }[];
  error: string | null;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const ANSWER_TIMEOUT_MS = 30_000;
/** What the app says when a turn failed (src/app.ts onTurnError): an answer, but not a good one. */
const FAILED = /Something went wrong on my side|can't reach my database/;

export interface Follower {
  /** Sends the commands, reads /healthz, then has the follower report its memory; closes it in any case. */
  measure(connector: BenchConnector, channelId: string, customerNames: readonly string[]): Promise<FollowerResult>;
}

const failed = (error: unknown): FollowerResult => ({
  startS: 0,
  rssMb: 0,
  heapUsedMb: 0,
  heapAfterGcMb: 0,
  peakRssMb: 0,
  healthLeading: null,
  leaseLeading: false,
  commands: [],
  error: (error as Error).message,
});

/**
 * Forks the follower and waits until it serves (its store opened, its lease looked at). Started before the
 * leader's rounds, as a second instance runs in production: it follows the leader's commits meanwhile.
 */
export async function startFollower(settings: FollowerChildSettings): Promise<Follower> {
  const child = fork(path.join(here, 'followerChild.js'), [JSON.stringify(settings)], {
    execArgv: ['--expose-gc', '--no-deprecation'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = <T extends FollowerChildMessage['type']>(type: T) =>
    new Promise<Extract<FollowerChildMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FollowerChildMessage) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        resolve(m as Extract<FollowerChildMessage, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the follower process exited (${code})`)));
    });
  const ask = (request: FollowerChildRequest) => child.send(request);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.connected) ask({ type: 'close' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  const ready = await next('ready').catch(async (error: unknown) => {
    await close();
    return error as Error;
  });
  if (ready instanceof Error) return { measure: () => Promise.resolve(failed(ready)) };

  /** `customerNames`: the leader's customer directory, to ask about customers that exist. */
  const measure: Follower['measure'] = async (connector, channelId, customerNames) => {
    try {
      const pick = (share: number) => customerNames[Math.floor(share * (customerNames.length - 1))] ?? '';
      const texts = [
        `status for ${pick(0.1)}`,
        `status for ${pick(0.5)}`,
        `status for ${pick(0.9)}`,
        'watches',
        // A prefix a hundred customers share ("Customer 015" of "Customer 01519 plc": 01500 to 01599).
        `customers ${pick(0.3).slice(0, 12)}`,
      ];
      const commands: FollowerResult['commands'] = [];
      for (const text of texts) {
        const activity = message(text, { serviceUrl: connector.url, channelId });
        const isReply = (call: BenchConnector['calls'][number]) => call.kind === 'post' && call.activityId === String(activity['id']);
        const sent = performance.now();
        const replied = connector.waitFor(() => connector.calls.some(isReply), ANSWER_TIMEOUT_MS);
        const { status } = await sendToBot(ready.url, activity);
        await replied;
        const reply = connector.calls.find(isReply);
        commands.push({ text, ms: performance.now() - sent, ok: status === 200 && reply !== undefined && !FAILED.test(reply.body) });
      }
      const health = await fetch(`${ready.url}/healthz`)
        .then((response) => response.json() as Promise<InstanceHealth>)
        .catch(() => null);
      ask({ type: 'measure' });
      const memory = await next('memory');
      return {
        startS: ready.startS,
        rssMb: memory.rssMb,
        heapUsedMb: memory.heapUsedMb,
        heapAfterGcMb: memory.heapAfterGcMb,
        peakRssMb: memory.peakRssMb,
        healthLeading: health?.store.leading ?? null,
        leaseLeading: memory.leading,
        commands,
        error: null,
      };
    } catch (error) {
      return failed(error);
    } finally {
      await close();
    }
  };
  return { measure };
}

/** Issue 22's target for follower_rss_mb_50k. */
export const FOLLOWER_RSS_TARGET_MB = 150;

/** A follower whose figure counts: it did not lead, by its /healthz and its lease, and answered every command. */
export const followerValid = (f: FollowerResult): boolean =>
  f.error === null && f.healthLeading === false && !f.leaseLeading && f.commands.length > 0 && f.commands.every((c) => c.ok);

/** `leader`: the scale run's leader (its RSS after the rounds and heap after GC), the baseline. */
export function followerRows(f: FollowerResult | undefined, leader: { rssMb: number; heapAfterGcMb: number } | null, customers: number, not?: string): Row[] {
  const title = `RSS of an instance that does not lead (own process, same database, after the leader's two rounds of ${customers}, having answered commands)`;
  if (!f || !leader) return [row(title, not ?? 'not measured', `<= ${FOLLOWER_RSS_TARGET_MB} MB`)];
  if (f.error) return [row(title, `not measured: ${f.error}`, `<= ${FOLLOWER_RSS_TARGET_MB} MB`, false)];
  const valid = followerValid(f);
  const answered = f.commands.filter((c) => c.ok).length;
  return [
    row(
      title,
      `${round(f.rssMb, 0)} MB (heap after a full GC ${round(f.heapAfterGcMb, 0)} MB; peak ${round(f.peakRssMb, 0)} MB)${valid ? '' : ' — not a valid follower run, see below'}`,
      `<= ${FOLLOWER_RSS_TARGET_MB} MB`,
      valid && f.rssMb <= FOLLOWER_RSS_TARGET_MB,
    ),
    row('  baseline: the leader of the same run (RSS after its rounds / heap after a full GC)', `${round(leader.rssMb, 0)} MB / ${round(leader.heapAfterGcMb, 0)} MB`),
    row(
      '  follower: leading on /healthz / by its lease; commands answered (through /api/messages)',
      `${String(f.healthLeading)} / ${String(f.leaseLeading)}; ${answered} of ${f.commands.length} (${f.commands.map((c) => `"${c.text.split(' ')[0] ?? ''}" ${round(c.ms, 0)} ms${c.ok ? '' : ' FAILED'}`).join(', ')})`,
    ),
    row(
      `  (it ran beside the leader from before its rounds, as in production; the partner's limit was raised so the leader's share, ${round(100 * (1 - FOLLOWERS_SHARE), 0)}%, is the other scale runs' budget)`,
      '',
    ),
  ];
}
