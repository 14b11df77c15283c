// The shape of the one state file, its schema version, and the migrations between versions.
import type { Watch } from '../domain/watch.js';

export type { Watch } from '../domain/watch.js';

export const SCHEMA_VERSION = 1;

/** A Bot Framework conversation reference as plain JSON (the store knows no Teams SDK). */
export interface StoredReference {
  serviceUrl: string;
  channelId: string;
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean; name?: string };
  bot: { id: string; name?: string };
  user?: { id: string; name?: string; aadObjectId?: string };
  locale?: string;
}

export type TargetKind = 'personal' | 'groupChat' | 'channel';

/** A conversation the bot may post to. `key` is the conversation id without any ";messageid=". */
export interface Target {
  key: string;
  kind: TargetKind;
  tenantId: string;
  teamId: string | null;
  name: string | null;
  reference: StoredReference;
  active: boolean;
  inactiveReason: string | null;
  updatedAt: string;
}

export interface State {
  schemaVersion: number;
  auth: { refreshToken: string | null };
  targets: Record<string, Target>;
  watches: Watch[];
  /** Orders the bot has seen, so "provisioning order X" can find its customer without "for". */
  orderCustomers: Record<string, string>;
}

export function emptyState(): State {
  return { schemaVersion: SCHEMA_VERSION, auth: { refreshToken: null }, targets: {}, watches: [], orderCustomers: {} };
}

export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

/**
 * Bring a parsed file up to the current schema. Each step takes version N to N+1; a file from a newer
 * release is refused rather than guessed at, so a rollback never silently drops data.
 */
export function migrate(raw: unknown, fileName: string): { state: State; migrated: boolean } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new StateFileError(`The state file ${fileName} does not hold a JSON object.`);
  }
  const data = raw as Partial<State>;
  const version = data.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new StateFileError(`The state file ${fileName} has no valid schemaVersion.`);
  }
  if (version > SCHEMA_VERSION) {
    throw new StateFileError(
      `The state file ${fileName} was written by a newer Partner Alerts (schema ${version}; this one reads up to ${SCHEMA_VERSION}). Upgrade, or point DATA_FILE elsewhere.`,
    );
  }
  // Fill what a hand-edited or older file may lack, so code can rely on every collection existing.
  const state: State = { ...emptyState(), ...data, schemaVersion: SCHEMA_VERSION };
  return { state, migrated: version !== SCHEMA_VERSION };
}
