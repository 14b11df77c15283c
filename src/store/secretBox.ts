// The codec of secrets at rest: AES-256-GCM (node:crypto) under STATE_ENCRYPTION_KEY, each ciphertext in an
// envelope that names its key by id. The id is a short hash of the key, so a wrong key is told as such
// before any decryption is tried, and a secret under STATE_ENCRYPTION_KEY_PREVIOUS is known to need
// re-encrypting. Without a key, secrets pass through as plain text (the start warns about it in production).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { StateFileError } from './state.js';

/** A secret as stored: version, key id, and base64 of the nonce, the GCM tag and the ciphertext. */
export interface Sealed {
  v: 1;
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

/** The keys the store may use: `current` encrypts and decrypts; `previous` only decrypts (rotation). */
export interface StateEncryptionKeys {
  current: Buffer | null;
  previous: Buffer | null;
}

export const NO_KEYS: StateEncryptionKeys = { current: null, previous: null };

/** A stored secret that cannot be opened: start-up stops on it, and nothing is written over it. */
export class SecretKeyError extends StateFileError {
  constructor(message: string) {
    super(message);
    this.name = 'SecretKeyError';
  }
}

export const KEY_BYTES = 32;
const IV_BYTES = 12;

/** A key's id: short, and says nothing about the key (a hash with its own prefix, cut to 64 bits). */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('partner-alerts state key\0').update(key).digest('base64url').slice(0, 11);
}

export function isSealed(value: unknown): value is Sealed {
  if (typeof value !== 'object' || value === null) return false;
  const box = value as Record<string, unknown>;
  return box.v === 1 && ['kid', 'iv', 'tag', 'ct'].every((name) => typeof box[name] === 'string');
}

/** What opening a stored secret gave: the plain text, and whether it should be stored again (plain, or under the previous key). */
export interface Opened {
  plain: string;
  stale: boolean;
}

export class SecretBox {
  private readonly currentId: string | null;
  private readonly previousId: string | null;
  /**
   * The last envelope of each place, by its plain text: the state file is written whole many times a minute,
   * and sealing an unchanged secret again would spend a fresh random nonce each time (GCM allows about 2^32
   * per key); this way a nonce is spent per new secret, and an unchanged secret stays byte for byte the same.
   */
  private readonly lastSealed = new Map<string, { plain: string; sealed: Sealed }>();
  /** How sentences name the secrets opened plain or under the previous key while a current key is set. */
  readonly renewed = new Set<string>();

  constructor(private readonly keys: StateEncryptionKeys = NO_KEYS) {
    for (const key of [keys.current, keys.previous]) {
      if (key && key.length !== KEY_BYTES) throw new Error(`a state encryption key must be ${KEY_BYTES} bytes`);
    }
    this.currentId = keys.current ? keyId(keys.current) : null;
    this.previousId = keys.previous ? keyId(keys.previous) : null;
  }

  /** The current key's id (null without a key). */
  get keyId(): string | null {
    return this.currentId;
  }

  /** Secrets are encrypted when stored. */
  get encrypts(): boolean {
    return this.keys.current !== null;
  }

  /**
   * The secret as it is to be stored. `place` (e.g. "auth.refreshToken") is bound to the ciphertext as
   * associated data, so a ciphertext copied to another place does not open there.
   */
  seal(plain: string, place: string): Sealed | string {
    const key = this.keys.current;
    if (!key || !this.currentId) return plain;
    const last = this.lastSealed.get(place);
    if (last?.plain === plain) return last.sealed;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(place, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const sealed: Sealed = { v: 1, kid: this.currentId, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') };
    this.lastSealed.set(place, { plain, sealed });
    return sealed;
  }

  /** A stored secret in plain text. Throws SecretKeyError, naming `label`, when no key given opens it. */
  open(stored: Sealed | string, place: string, label: string): Opened {
    if (typeof stored === 'string') {
      if (this.encrypts) this.renewed.add(label);
      return { plain: stored, stale: this.encrypts };
    }
    const key = stored.kid === this.currentId ? this.keys.current : stored.kid === this.previousId ? this.keys.previous : null;
    if (!key) throw new SecretKeyError(this.unknownKey(stored.kid, label));
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(stored.iv, 'base64'));
      decipher.setAAD(Buffer.from(place, 'utf8'));
      decipher.setAuthTag(Buffer.from(stored.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(stored.ct, 'base64')), decipher.final()]).toString('utf8');
      const stale = stored.kid !== this.currentId;
      if (stale) this.renewed.add(label);
      else this.lastSealed.set(place, { plain, sealed: stored });
      return { plain, stale };
    } catch {
      throw new SecretKeyError(
        `The stored ${label} does not decrypt under its key (id ${stored.kid}): it was changed or damaged. It was left untouched; restore it from a backup, or remove it and store it again.`,
      );
    }
  }

  private unknownKey(kid: string, label: string): string {
    if (!this.currentId) {
      return `The stored ${label} is encrypted (key id ${kid}), but STATE_ENCRYPTION_KEY is not set: set it to the key it was encrypted with. Nothing was changed.`;
    }
    const known = this.previousId
      ? `neither STATE_ENCRYPTION_KEY (id ${this.currentId}) nor STATE_ENCRYPTION_KEY_PREVIOUS (id ${this.previousId})`
      : `not STATE_ENCRYPTION_KEY (id ${this.currentId})`;
    return `The stored ${label} is encrypted with a key (id ${kid}) that is ${known}: set STATE_ENCRYPTION_KEY to the key it was encrypted with (or give that key as STATE_ENCRYPTION_KEY_PREVIOUS to rotate). Nothing was changed.`;
  }
}
