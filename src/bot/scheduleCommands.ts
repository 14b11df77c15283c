// "digest …" and "quiet hours …": a conversation's morning digest and quiet hours. The settings live on the
// conversation's target (they survive restarts); the engine's scheduler queues digests and the summary at
// the end of quiet hours, and the delivery's quiet-hours stage holds what must wait.
import { addDigestReads, customersOfLoads, DigestLoads, withDigestLoads } from '../engine/digestReads.js';
import { digestCard } from '../cards.js';
import type { DigestCommand, QuietHoursCommand } from '../domain/commands.js';
import {
  describeDigest,
  describeQuietHours,
  nextDigestText,
  quietHoursStateText,
  quietWindowAt,
  whenText,
  type DigestSetting,
  type QuietHoursSetting,
} from '../domain/schedule.js';
import { clockTime, nextWindowStart } from '../domain/localTime.js';
import { buildDigest } from '../engine/digest.js';
import type { ConversationSchedule } from '../store/state.js';
import { cardReply, textReply, type Reply } from './reply.js';
import type { BotServices } from './services.js';
import type { WatchContext } from './watchBook.js';
import { byUser } from './watchCommands.js';

export async function digestCommand(services: BotServices, ctx: WatchContext, command: DigestCommand): Promise<Reply[]> {
  if (command.action === 'now') return [cardReply(digestCard({ report: await digestNow(services, ctx) }))];
  if (command.action === 'off') {
    if (!scheduleOf(services, ctx)?.digest) return [textReply('This conversation has no digest. Try “digest daily 08:00 Europe/Amsterdam”.')];
    await changeSchedule(services, ctx, (schedule) => void (schedule.digest = null));
    return [announce(ctx, 'stopped the digest here.')];
  }
  const setting: DigestSetting = { days: command.days, time: command.time, timeZone: command.timeZone, setBy: ctx.user.name, setAt: ctx.now.toISOString() };
  await changeSchedule(services, ctx, (schedule) => void (schedule.digest = setting));
  return [
    announce(ctx, `set the digest here: ${describeDigest(setting)}; the next one comes ${nextDigestText(setting, ctx.now.getTime())}.`),
    textReply('It lists active incidents of the watched customers, orders still provisioning, subscriptions needing attention (under a subscription watch), what changed since the last digest and customers that could not be checked. “digest now” shows it at once.'),
  ];
}

export async function quietHoursCommand(services: BotServices, ctx: WatchContext, command: QuietHoursCommand): Promise<Reply[]> {
  if (command.action === 'off') {
    const schedule = scheduleOf(services, ctx);
    if (!schedule?.quietHours) return [textReply('This conversation has no quiet hours. Try “quiet hours 20:00-07:00 Europe/Amsterdam”.')];
    const held = heldCount(schedule.held);
    await changeSchedule(services, ctx, (stored) => void (stored.quietHours = null));
    const rest = held > 0 ? ` The ${held === 1 ? 'alert' : `${held} alerts`} they held come now, as one summary.` : '';
    return [announce(ctx, `turned quiet hours off here.${rest}`)];
  }
  const setting: QuietHoursSetting = { start: command.start, end: command.end, timeZone: command.timeZone, setBy: ctx.user.name, setAt: ctx.now.toISOString() };
  await changeSchedule(services, ctx, (schedule) => void (schedule.quietHours = setting));
  const now = ctx.now.getTime();
  const window = quietWindowAt(setting, now);
  const state = window ? `They are on now, until ${whenText(window.end, setting.timeZone, now)}.` : `They start ${whenText(nextWindowStart(now, clockTime(setting.start), setting.timeZone), setting.timeZone, now)}.`;
  return [
    announce(ctx, `set quiet hours here: ${describeQuietHours(setting)}. ${state}`),
    textReply('During them only critical incidents and failed provisioning are posted at once; everything else comes as one summary when they end. Cards already posted are still kept current, without thread replies.'),
  ];
}

/** The line under the watches card: this conversation's digest and quiet hours. */
export function scheduleReply(services: BotServices, ctx: WatchContext): Reply {
  const schedule = scheduleOf(services, ctx);
  const now = ctx.now.getTime();
  const digest = schedule?.digest
    ? `Digest: ${describeDigest(schedule.digest)}, next ${nextDigestText(schedule.digest, now)}.`
    : 'Digest: none (try “digest daily 08:00 Europe/Amsterdam”).';
  const held = heldCount(schedule?.held ?? []);
  const quiet = schedule?.quietHours
    ? `Quiet hours: ${describeQuietHours(schedule.quietHours)}, ${quietHoursStateText(schedule.quietHours, now)}${held > 0 ? `; ${held} held for the summary` : ''}.`
    : 'Quiet hours: none (try “quiet hours 20:00-07:00 Europe/Amsterdam”).';
  return textReply(`${digest}\n\n${quiet}`);
}

/** "digest now": the same card as the scheduled digest, read from the state (no Partner Center request). */
async function digestNow(services: BotServices, ctx: WatchContext) {
  const since = () => services.store.ports.conversations.schedule(ctx.target.key)?.lastDigest?.queuedAt ?? null;
  const { sources, batchSources } = services.engine;
  // Only the snapshots the digest may show are read (digestReads.ts), never every customer's.
  const plan = async () => {
    const loads = new DigestLoads();
    await addDigestReads(loads, services.store, services.store.read(), ctx.target.key, { now: ctx.now, since: since(), batchSources, sources });
    return loads.loads;
  };
  return withDigestLoads(plan, async (loads) => {
    await services.directory.prefetch(customersOfLoads(loads));
    const state = await services.store.view(loads);
    const schedule = state.targets[ctx.target.key]?.schedule;
    return buildDigest(state, ctx.target.key, {
      now: ctx.now,
      timeZone: schedule?.digest?.timeZone ?? schedule?.quietHours?.timeZone ?? 'UTC',
      since: schedule?.lastDigest?.queuedAt ?? null,
      dueAt: null,
      late: false,
      customerName: (id) => services.directory.find(id)?.companyName,
      batchSources,
      sources,
    });
  });
}

function scheduleOf(services: BotServices, ctx: WatchContext): Readonly<ConversationSchedule> | undefined {
  return services.store.ports.conversations.schedule(ctx.target.key);
}

async function changeSchedule(services: BotServices, ctx: WatchContext, change: (schedule: ConversationSchedule) => void): Promise<void> {
  await services.store.transaction((tx) => {
    const schedule = tx.conversations.schedule(ctx.target.key);
    if (schedule) change(schedule);
  });
  services.engine.schedulesChanged?.();
}

/** In a channel everyone sees who changed the schedule ("@Ana set the digest here: …"); in a chat, just what. */
function announce(ctx: WatchContext, sentence: string): Reply {
  if (ctx.target.kind === 'personal') return textReply(`Done: ${sentence.replace(/ here\b/, '')}`);
  return byUser(ctx, sentence);
}

/** Alerts held for the summary, counting those dropped from the list to keep it short. */
function heldCount(held: readonly { alsoHeld?: number }[]): number {
  return held.reduce((sum, alert) => sum + 1 + (alert.alsoHeld ?? 0), 0);
}
