// Short ids for deliveries: they live in the outbox and the delivery log for 30 days, so an id made of a
// long event id (or of many merged ones) is kept to a fixed length. Pure: the same text, the same id.
import { createHash } from 'node:crypto';

/** 22 base64url characters (132 bits) of the SHA-256 of `text`: safe in any key, never a collision in practice. */
export function shortDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
