// The store's contract. The rest of the app reads a consistent snapshot and changes state only through
// `update`, which applies a change and makes it durable before resolving, one change at a time.
import type { State } from './state.js';

export interface StateStore {
  /** The current state. Treat it as read-only: change it through `update`. */
  read(): Readonly<State>;
  /**
   * Apply `change` to the state and write it durably; resolves once it is on disk. Changes run one after
   * another, never interleaved, so a change sees every earlier one (several may share one write). If the
   * write fails, the in-memory state returns to what the file holds.
   */
  update<T>(change: (draft: State) => T): Promise<T>;
}
