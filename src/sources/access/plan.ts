// When the partner's GDAP relationships are listed: one partner-wide item (`g|gdap`, no customer) when some
// conversation watches access and the last listing is at least GDAP_POLL_MINUTES old, or when a "poll now"
// asked for a round. Graph, not Partner Center, answers it, so it costs nothing of Partner Center's budget. Pure.
import type { Watch } from '../../domain/watch.js';
import type { SourceItem } from '../source.js';
import type { State } from '../../store/state.js';
import type { AccessSettings } from './model.js';

export const SOURCE_NAME = 'access';
export const ACCESS_ITEM_KEY = 'g|gdap';

/** The listing's item: partner-wide, no customer's. */
export interface AccessItem extends SourceItem {
  customer: null;
}

/** Access watches of conversations the bot may still post to. */
export function accessWatches(state: Readonly<State>): Watch[] {
  return state.watches.filter((watch) => watch.kind === 'access' && state.targets[watch.targetKey]?.active);
}

export function accessItems(state: Readonly<State>, now: number, settings: Pick<AccessSettings, 'pollMinutes'>): AccessItem[] {
  if (accessWatches(state).length === 0) return [];
  // The last time Graph was asked: a listing taken, or one it refused (403), which waits its period too.
  const { fetchedAt, refusedAt } = state.accessListing ?? {};
  const lastAsked = [fetchedAt, refusedAt].reduce<string | null>((latest, at) => (at && (!latest || at > latest) ? at : latest), null);
  const asked = state.sweep.summaryTo.length > 0;
  const due = !lastAsked || !(now - Date.parse(lastAsked) < settings.pollMinutes * 60_000);
  if (!due && !asked) return [];
  return [{ key: ACCESS_ITEM_KEY, kind: 'source', source: SOURCE_NAME, customer: null, subject: 'GDAP relationships (Microsoft Graph)' }];
}
