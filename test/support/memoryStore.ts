// A StateStore in memory for unit tests of the alert stages; `failNext` makes one write fail the way a full
// disk would (the change is rolled back, the promise rejects).
import { emptyState, type State } from '../../src/store/state.js';
import type { StateStore } from '../../src/store/stateStore.js';

export class MemoryStore implements StateStore {
  state: State;
  writes = 0;
  private failing: ((before: State, after: State) => boolean) | null = null;

  constructor(initial: Partial<State> = {}) {
    this.state = { ...emptyState(), ...structuredClone(initial) };
  }

  read(): Readonly<State> {
    return this.state;
  }

  /** Writes whose change matches `when` fail from now on. */
  failWrites(when: (before: State, after: State) => boolean): void {
    this.failing = when;
  }

  async update<T>(change: (draft: State) => T): Promise<T> {
    const draft = structuredClone(this.state);
    const result = change(draft);
    if (this.failing?.(this.state, draft)) throw new Error('disk full');
    this.state = draft;
    this.writes++;
    return result;
  }
}
