// JSON.stringify of a whole state with 50,000 customers blocks the event loop for hundreds of
// milliseconds, and every command and delivery waits that long. This writes the same text in pieces of a
// few hundred records and lets the loop breathe between them. Safe because the store applies no change
// while a write is in progress (changes queue for the next write), so the object does not move under us.
// A group's draft (draft.ts) is written as it will be published, one large record's entries at a time.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { entryCount, finished, publishedEntries } from './draft.js';

/** Entries of a large object or array serialised per piece before the loop gets a turn. */
const ENTRIES_PER_PIECE = 500;

/**
 * The text of `JSON.stringify(value)`, in pieces: the top level's large records and arrays are split by
 * entry, everything else is stringified whole. Pieces are handed to `write` in order.
 */
export async function writeJsonInPieces(value: Record<string, unknown>, write: (piece: string) => Promise<void>): Promise<void> {
  let first = true;
  await write('{');
  for (const [key, member] of publishedEntries(value, false)) {
    if (member === undefined || typeof member === 'function') continue;
    await write(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (Array.isArray(member) && member.length > ENTRIES_PER_PIECE) await writeArray(finished(member), write);
    else if (isPlainRecord(member) && entryCount(member) > ENTRIES_PER_PIECE) await writeRecord(member, write);
    else await write(JSON.stringify(finished(member)) ?? 'null');
  }
  await write('}');
}

async function writeRecord(record: Record<string, unknown>, write: (piece: string) => Promise<void>): Promise<void> {
  await write('{');
  let parts: string[] = [];
  let first = true;
  for (const [key, entry] of publishedEntries(record)) {
    if (entry === undefined || typeof entry === 'function') continue;
    parts.push(`${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(entry)}`);
    first = false;
    if (parts.length >= ENTRIES_PER_PIECE) {
      await write(parts.join(''));
      parts = [];
      await yieldToLoop();
    }
  }
  await write(`${parts.join('')}}`);
}

async function writeArray(array: unknown[], write: (piece: string) => Promise<void>): Promise<void> {
  await write('[');
  for (let start = 0; start < array.length; start += ENTRIES_PER_PIECE) {
    const piece = array.slice(start, start + ENTRIES_PER_PIECE).map((entry) => JSON.stringify(entry) ?? 'null');
    await write(`${start === 0 ? '' : ','}${piece.join(',')}`);
    await yieldToLoop();
  }
  await write(']');
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}
