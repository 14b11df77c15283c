// Where the state holds secrets, and the crossing between the state in memory (always plain text, so the app,
// the token provider and the scripts that write through the store stay unaware) and the state as stored
// (each secret sealed by the SecretBox). Both backends call these at their persistence boundary.
import { SHAPES, type Field } from './records.js';
import { isSealed, type SecretBox } from './secretBox.js';
import type { State } from './state.js';

export interface SecretSpot {
  /** The state field whose records hold it (a single record, or each record of a map). */
  field: Field;
  /** The record's property holding the secret (a string, or null when there is none). */
  property: string;
  /** How a sentence names it. */
  label: string;
}

/**
 * Every secret the bot stores. A new one is added here, and both stores seal it from then on (inside a
 * jsonb body as it is; a PostgreSQL column of its own needs its table to keep the sealed form, as `auth` does).
 */
export const SECRETS: readonly SecretSpot[] = [{ field: 'auth', property: 'refreshToken', label: 'Partner Center refresh token' }];

const spotsOf = (field: Field): readonly SecretSpot[] => SECRETS.filter((spot) => spot.field === field);
/** Bound to the ciphertext, so a sealed secret moved to another place does not open there. */
const placeOf = (spot: SecretSpot): string => `${spot.field}.${spot.property}`;

/** The record as it is to be stored: a copy with its secrets sealed (the record itself is left plain). */
export function sealRecord<R>(field: Field, record: R, box: SecretBox): R {
  const spots = spotsOf(field);
  if (spots.length === 0 || !box.encrypts || typeof record !== 'object' || record === null) return record;
  const copy = { ...record } as Record<string, unknown>;
  for (const spot of spots) {
    const value = copy[spot.property];
    if (typeof value === 'string') copy[spot.property] = box.seal(value, placeOf(spot));
  }
  return copy as R;
}

/**
 * A stored record's secrets opened in place. `stale`: one was plain or under the previous key while a
 * current key is set, so the record should be stored again. Throws SecretKeyError when one cannot be opened.
 */
export function openRecord(field: Field, record: unknown, box: SecretBox): { stale: boolean } {
  let stale = false;
  if (typeof record !== 'object' || record === null) return { stale };
  const fields = record as Record<string, unknown>;
  for (const spot of spotsOf(field)) {
    const value = fields[spot.property];
    if (typeof value !== 'string' && !isSealed(value)) continue;
    const opened = box.open(value, placeOf(spot), spot.label);
    fields[spot.property] = opened.plain;
    stale ||= opened.stale;
  }
  return { stale };
}

/** The whole state as it is to be stored: a shallow copy whose records holding secrets are sealed copies. */
export function sealState(state: State, box: SecretBox): State {
  if (!box.encrypts) return state;
  const copy = { ...state } as unknown as Record<string, unknown>;
  for (const field of new Set(SECRETS.map((spot) => spot.field))) {
    const value = copy[field];
    copy[field] = SHAPES[field] === 'map' ? mapValues(value, (record) => sealRecord(field, record, box)) : sealRecord(field, value, box);
  }
  return copy as unknown as State;
}

/** A whole stored state's secrets opened in place; `stale` as for openRecord. */
export function openState(state: State, box: SecretBox): { stale: boolean } {
  let stale = false;
  const fields = state as unknown as Record<string, unknown>;
  for (const field of new Set(SECRETS.map((spot) => spot.field))) {
    const records = SHAPES[field] === 'map' ? Object.values((fields[field] ?? {}) as Record<string, unknown>) : [fields[field]];
    for (const record of records) stale = openRecord(field, record, box).stale || stale;
  }
  return { stale };
}

/** How sentences name the secrets the state holds now (for the warning that they are kept in plain text). */
export function secretsHeld(state: Readonly<State>): string[] {
  const fields = state as unknown as Record<string, unknown>;
  return SECRETS.filter((spot) => {
    const records = SHAPES[spot.field] === 'map' ? Object.values((fields[spot.field] ?? {}) as Record<string, unknown>) : [fields[spot.field]];
    return records.some((record) => typeof (record as Record<string, unknown> | null)?.[spot.property] === 'string');
  }).map((spot) => spot.label);
}

function mapValues(value: unknown, change: (record: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, record]) => [key, change(record)]));
}
