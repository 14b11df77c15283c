// The id of an alert event (alertEvent.ts): fixed length, and the same for the same change found twice, so
// a change fetched again after a crash is never queued twice for a destination.
import { createHash } from 'node:crypto';

/** `sourceId`: the deterministic id the source's diff gave the change, prefixed with the source's subject. */
export function alertEventId(sourceId: string): string {
  return `evt_${createHash('sha256').update(sourceId).digest('hex').slice(0, 32)}`;
}
