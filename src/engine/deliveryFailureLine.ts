// The one line a failed delivery leaves in the log (and in the sandbox's terminal): which conversation, what
// Teams answered, and what happens next. "[bot] delivery failed" alone left a new user guessing after a
// sandbox restart, when the old Playground conversations are gone.
import type { Target } from '../store/state.js';
import type { SendFailure, SendFailureKind } from './teamsSender.js';

const NEXT: Readonly<Record<SendFailureKind, string>> = {
  gone: 'the bot is no longer in that conversation, or it no longer exists (in the sandbox: a conversation of an earlier Playground run); it is marked inactive and gets nothing more until someone writes to the bot there',
  tooBig: 'the card is too big for Teams; it is sent again smaller',
  transient: 'Teams cannot take it now; it is tried again',
  cardGone: 'the card to edit was deleted; a new card is posted',
  other: 'an unexpected answer; it is tried again later',
};

const KIND_WORDS: Readonly<Record<Target['kind'], string>> = { personal: 'personal chat', groupChat: 'group chat', channel: 'channel' };

export function deliveryFailureLine(target: Pick<Target, 'key' | 'kind' | 'name'>, failure: Pick<SendFailure, 'kind' | 'message'>): string {
  const name = target.name?.replace(/\s+/g, ' ').trim().slice(0, 80);
  const where = `${KIND_WORDS[target.kind] ?? 'conversation'} ${name ? `“${name}” ` : ''}(${target.key})`;
  return `delivery to the ${where} failed: ${failure.message}; ${NEXT[failure.kind]}.`;
}
