// The external reference a ticket carries: made from the episode key (the incident or item id, the customer's
// tenant id, the episode), so a look-up finds exactly that episode's ticket. It must fit the PSA's field
// (Autotask externalID: 50 characters): GUIDs lose their dashes and the source word its tail, which keeps an
// incident's key whole ("i|EX123456|<tenant>|0"); a key still too long keeps its start and ends in a digest
// of the whole, so two episodes never share a reference.
import { createHash } from 'node:crypto';

const GUID = /\b([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\b/gi;

export function ticketReference(episodeKey: string, maxLength: number): string {
  if (episodeKey.length <= maxLength) return episodeKey;
  const [source = '', ...rest] = episodeKey.replace(GUID, '$1$2$3$4$5').split('|');
  const compact = [source.slice(0, 1), ...rest].join('|');
  if (compact.length <= maxLength) return compact;
  const digest = createHash('sha256').update(episodeKey).digest('hex').slice(0, 12);
  return `${compact.slice(0, maxLength - digest.length - 1)}~${digest}`;
}
