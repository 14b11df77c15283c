// What the incidents source's digest part reads of the incident snapshots: those of the customers the
// conversation watches one by one, or with "watch all" the watched ones whose facts say an incident is open
// or that changed since; and those of watched customers on its open cards (whether they have one).
import type { State } from '../../store/state.js';
import type { DigestKeys, DigestRead, DigestReadContext } from '../source.js';
import { IncidentScope } from './digestScope.js';

export function incidentDigestReads(state: Readonly<State>, targetKey: string, ctx: DigestReadContext): (DigestRead | DigestKeys)[] {
  const scope = new IncidentScope(state, targetKey);
  const reads: (DigestRead | DigestKeys)[] = scope.all
    ? [{ field: 'incidentSnapshots', filter: { changedSince: ctx.since, keys: [] }, among: (customerId) => scope.isWatched(customerId) }]
    : [{ field: 'incidentSnapshots', keys: [...scope.own] }];
  for (const thread of scope.threads) reads.push({ field: 'incidentSnapshots', keys: scope.openCardCustomers(thread) });
  return reads;
}
