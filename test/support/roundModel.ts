// Sweep rounds of the pure plan, back to back on a simulated clock, for "watch all" and "watch subscriptions
// all" over N customers: each round is planned with roundItems at its start, takes as long as its items
// need at a fixed pace (the subscription lists last, as their keys sort), and every list it fetches stamps
// its snapshot. For the plan's tests, and for the bench's baseline of a rule it cannot afford to run over HTTP.
import type { Customer } from '../../src/domain/types.js';
import { roundItems } from '../../src/engine/sweepPlan.js';
import { incidentSource } from '../../src/sources/incidents/index.js';
import { provisioningSource } from '../../src/sources/provisioning/index.js';
import { batchSourceList, type AlertSource } from '../../src/sources/source.js';
import { emptyState, type State } from '../../src/store/state.js';
import { customer, target, watch } from './samples.js';

/** The incidents of "watch all" are every round's: they set how long a round takes. */
const INCIDENTS = batchSourceList({ incidents: incidentSource(), provisioning: provisioningSource() });

export interface ModelRound {
  startedAt: number;
  /** Items the round fetched (each one request). */
  requests: number;
  /** Customer ids whose subscription list the round fetched. */
  subscriptions: string[];
  /** Every listed customer's age (ms since its last list fetch) at the round's start; undefined: never. */
  ages: Map<string, number | undefined>;
}

export class RoundModel {
  readonly state: State = {
    ...emptyState(),
    targets: { A: target('A') },
    watches: [
      watch({ id: 'all', targetKey: 'A', kind: 'all', customerId: null, customerName: null }),
      watch({ id: 'subs', targetKey: 'A', kind: 'subscriptions', customerId: null, customerName: null }),
    ],
  };
  readonly listing: Customer[];
  readonly rounds: ModelRound[] = [];

  constructor(
    customers: number,
    private readonly source: AlertSource,
    private readonly msPerRequest: number,
    public now: number,
  ) {
    this.listing = Array.from({ length: customers }, (_, i) => customer(i + 1));
  }

  /** Plans a round now, fetches its items one after another, and moves the clock to its end. */
  run(): ModelRound {
    const byId = new Map(this.listing.map((c) => [c.id, c]));
    const items = roundItems(this.state, this.listing, (id) => byId.get(id), [this.source], this.now, undefined, INCIDENTS);
    const ages = new Map(this.listing.map((c) => [c.id, this.ageOf(c.id)]));
    const round: ModelRound = { startedAt: this.now, requests: items.length, subscriptions: [], ages };
    for (const item of items) {
      this.now += this.msPerRequest;
      if (item.source !== this.source.name || !item.customer) continue; // (a partner-wide item, e.g. the GDAP listing, has none)
      round.subscriptions.push(item.customer.id);
      const snapshot = { customerId: item.customer.id, fetchedAt: new Date(this.now).toISOString(), subscriptions: {} };
      this.state.subscriptionSnapshots[item.customer.id] = snapshot as unknown as State['subscriptionSnapshots'][string];
    }
    this.rounds.push(round);
    return round;
  }

  /** Rounds back to back until `until`. */
  runUntil(until: number): void {
    while (this.now < until) this.run();
  }

  private ageOf(customerId: string): number | undefined {
    const fetchedAt = this.state.subscriptionSnapshots[customerId]?.fetchedAt;
    return fetchedAt === undefined ? undefined : this.now - Date.parse(fetchedAt);
  }
}
