// Conversation references, kept durable: every turn refreshes the reference of its conversation (the
// serviceUrl can change), installs add one, uninstalls and dead conversations deactivate it.
import { TurnContext, type Activity } from 'botbuilder';
import type { StateStore } from '../store/stateStore.js';
import type { StoredReference, Target, TargetKind } from '../store/state.js';

/** A channel message's conversation id carries ";messageid=<root>": the channel itself is the part before. */
export function conversationKey(conversationId: string): string {
  return conversationId.split(';messageid=')[0] ?? conversationId;
}

/**
 * The root message of the channel thread a message belongs to: the ";messageid=" of its conversation id, or
 * the message itself when it starts the thread. Null outside channels (chats have no threads).
 */
export function threadRootOf(activity: Pick<Activity, 'id' | 'conversation'>): string | null {
  if (activity.conversation?.conversationType !== 'channel') return null;
  const [, root] = activity.conversation.id.split(';messageid=');
  return root || activity.id || null;
}

export function tenantOf(activity: Partial<Activity>): string | null {
  const fromChannelData = (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  return (activity.conversation?.tenantId ?? fromChannelData ?? null)?.toLowerCase() ?? null;
}

export function targetFromActivity(activity: Activity, now: Date): Target {
  const reference = TurnContext.getConversationReference(activity);
  const key = conversationKey(activity.conversation.id);
  const channelData = (activity.channelData ?? {}) as { team?: { id?: string; name?: string }; channel?: { name?: string } };
  const conversationType = activity.conversation.conversationType;
  const kind: TargetKind = conversationType === 'channel' ? 'channel' : conversationType === 'groupChat' ? 'groupChat' : 'personal';
  const stored: StoredReference = {
    serviceUrl: reference.serviceUrl ?? activity.serviceUrl,
    channelId: reference.channelId ?? activity.channelId,
    conversation: {
      id: key,
      conversationType,
      tenantId: activity.conversation.tenantId,
      isGroup: activity.conversation.isGroup,
      name: activity.conversation.name,
    },
    bot: { id: activity.recipient.id, name: activity.recipient.name },
    ...(kind === 'personal' && activity.from ? { user: { id: activity.from.id, name: activity.from.name, aadObjectId: activity.from.aadObjectId } } : {}),
    ...(activity.locale ? { locale: activity.locale } : {}),
  };
  return {
    key,
    kind,
    tenantId: tenantOf(activity) ?? '',
    teamId: channelData.team?.id ?? null,
    name: channelData.channel?.name ?? channelData.team?.name ?? activity.conversation.name ?? null,
    reference: stored,
    active: true,
    inactiveReason: null,
    updatedAt: now.toISOString(),
  };
}

export class TargetBook {
  constructor(private readonly store: StateStore) {}

  /** Record (or refresh) the conversation of an incoming turn. Writes only when something changed. */
  async remember(activity: Activity, now: Date): Promise<Target> {
    const fresh = targetFromActivity(activity, now);
    const known = this.store.ports.conversations.get(fresh.key);
    if (known && known.active && sameReference(known, fresh)) return known;
    // Merged with what is stored inside the change, never with an earlier read: another instance (or quiet
    // hours here) may have changed the conversation's schedule and held alerts since.
    return this.store.transaction((tx) => {
      const stored = tx.conversations.get(fresh.key);
      // Keep a name learnt earlier (installs carry it, plain messages often do not).
      const target: Target = { ...fresh, name: fresh.name ?? stored?.name ?? null, teamId: fresh.teamId ?? stored?.teamId ?? null };
      // The conversation's digest and quiet hours (and what they hold) are its own, not the reference's.
      if (stored?.schedule) target.schedule = stored.schedule;
      tx.conversations.put(target);
      return target;
    });
  }

  /** The bot was removed, the team deleted, or Teams said the conversation is gone or blocked. */
  async deactivate(key: string, reason: string, now: Date): Promise<void> {
    if (!this.store.ports.conversations.get(key)?.active) return;
    await this.store.transaction((tx) => tx.conversations.deactivate(key, reason, now.toISOString()));
  }

  /** Deactivate every conversation of a team (teamDeleted, or the app removed from the team). */
  async deactivateTeam(teamId: string, reason: string, now: Date): Promise<void> {
    const keys = this.store.ports.conversations
      .active()
      .filter((target) => target.teamId === teamId || target.key === teamId)
      .map((target) => target.key);
    if (keys.length === 0) return;
    await this.store.transaction((tx) => {
      for (const key of keys) tx.conversations.deactivate(key, reason, now.toISOString());
    });
  }
}

function sameReference(a: Target, b: Target): boolean {
  return (
    a.reference.serviceUrl === b.reference.serviceUrl &&
    a.reference.bot.id === b.reference.bot.id &&
    a.tenantId === b.tenantId &&
    (b.name === null || a.name === b.name)
  );
}
