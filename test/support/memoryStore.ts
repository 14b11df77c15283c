// A StateStore in memory for unit tests of the alert stages; `failNext` makes one write fail the way a full
// disk would (the change is rolled back, the promise rejects).
import { emptyState, type State } from '../../src/store/state.js';
import type { StateStore, UpdateOptions } from '../../src/store/stateStore.js';
import { soleInstance } from '../../src/store/coordination.js';
import { readPorts, transactionOn, type TxPorts } from '../../src/store/ports/index.js';
import { factsOfMap, spreadOf, loadList, mergeLoads, pagedView, resolveSelections, viewOf, withoutPaged, type FactsFilter, type FetchSpread, type Loads, type PagedField, type SnapshotFacts } from '../../src/store/paged.js';

export class MemoryStore implements StateStore {
  /** One process, as with the state file. */
  readonly backend = 'lowdb';
  readonly coordination = soleInstance('memory');
  state: State;
  writes = 0;
  private failing: ((before: State, after: State) => boolean) | null = null;
  private failure: () => Error = () => new Error('disk full');

  constructor(initial: Partial<State> = {}) {
    this.state = { ...emptyState(), ...structuredClone(initial) };
  }

  refresh(): Promise<void> {
    return Promise.resolve();
  }

  onExternalChange(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** As the real stores: without the paged records (`state` has them all, for a test to look at). */
  read(): Readonly<State> {
    return withoutPaged(this.state);
  }

  view(loads: Loads): Promise<Readonly<State>> {
    return Promise.resolve(viewOf(this.state, this.state, loads));
  }

  facts(field: PagedField, filter?: FactsFilter): Promise<Map<string, SnapshotFacts>> {
    return factsOfMap(this.state[field], filter);
  }

  async fetchSpread(field: PagedField, among: ReadonlySet<string>): Promise<{ among: FetchSpread; rest: FetchSpread }> {
    return spreadOf(await this.facts(field), among);
  }

  /** Writes whose change matches `when` fail from now on. */
  failWrites(when: (before: State, after: State) => boolean, failure: () => Error = () => new Error('disk full')): void {
    this.failing = when;
    this.failure = failure;
  }

  readonly ports = readPorts(() => this.read());

  transaction<T>(work: (tx: TxPorts) => T, options: UpdateOptions = {}): Promise<T> {
    return transactionOn((change) => this.update(change, options), work);
  }

  async update<T>(change: (draft: State) => T, options: UpdateOptions = {}): Promise<T> {
    const draft = structuredClone(this.state);
    const reach = mergeLoads(loadList(options.load));
    resolveSelections(reach, draft);
    const result = change(pagedView(draft, reach));
    if (this.failing?.(this.state, draft)) throw this.failure();
    this.state = draft;
    this.writes++;
    return result;
  }
}
