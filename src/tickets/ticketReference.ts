// The external reference a ticket carries: the episode key (incident or item id, the customer's tenant id,
// the episode), so a look-up finds exactly that episode's ticket. A key longer than the PSA's field keeps
// its start and ends in a digest of the whole, so two episodes never share a reference.
import { createHash } from 'node:crypto';

export function ticketReference(episodeKey: string, maxLength: number): string {
  if (episodeKey.length <= maxLength) return episodeKey;
  const digest = createHash('sha256').update(episodeKey).digest('hex').slice(0, 12);
  return `${episodeKey.slice(0, maxLength - digest.length - 1)}~${digest}`;
}
