// Deterministic randomness for the simulator's dataset. Every customer and purpose gets its own
// stream (seeded by mixing seed, index and a salt), so customer 42 looks the same whether the
// dataset holds 50 or 50,000 customers and whatever order its details are first asked for in.

export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for test data; returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes integers into one 32-bit seed (murmur-style finaliser per part). */
export function mix(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function streamFor(...parts: number[]): Rng {
  return mulberry32(mix(...parts));
}

/** Integer in [min, max], both inclusive. */
export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function chance(rng: Rng, probability: number): boolean {
  return rng() < probability;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rng() * items.length)] as T;
}

// Number#toString(16) on values above 2^31 takes a slow path in V8; a byte table keeps 50,000
// customers' GUIDs in the low milliseconds.
const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(rng: Rng): string {
  const x = (rng() * 4294967296) >>> 0;
  return HEX_BYTES[x >>> 24]! + HEX_BYTES[(x >>> 16) & 255]! + HEX_BYTES[(x >>> 8) & 255]! + HEX_BYTES[x & 255]!;
}

/** A version-4-looking GUID, lower case as Partner Center writes tenant ids. */
export function guid(rng: Rng): string {
  const a = hex8(rng);
  const b = hex8(rng);
  const c = hex8(rng);
  const d = hex8(rng);
  const variant = '89ab'[c.charCodeAt(0) & 3];
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 33-character base64url form Partner Center uses for many new-commerce order ids. */
export function base64urlId(rng: Rng, length = 33): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE64URL[Math.floor(rng() * 64)];
  return out;
}

/** Timestamp helpers: the wire uses ISO 8601 and a year-one sentinel for "not ended". */
export const NOT_ENDED = '0001-01-01T00:00:00';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
