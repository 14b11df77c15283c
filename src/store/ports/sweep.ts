// The sweep port: where the rolling round stands (its id, cursor and counts, the "poll now" summaries it
// owes) and the report of the last round. Reads are synchronous (one small document each, resident on both
// backends: PostgreSQL keeps them as single rows it catches up with).
import type { CycleReport, State, SweepState } from '../state.js';

export interface Sweep {
  /** The round in progress (or none: roundId null) and its cursor. */
  position(): Readonly<SweepState>;
  /** The report of the last round that ended (`lastCycle`), or null before the first. */
  lastRound(): Readonly<CycleReport> | null;
}

export interface SweepWrites extends Sweep {
  /** The round's record, to change in place. */
  position(): SweepState;
  /** Replaces it (a round begins or ends). */
  setPosition(sweep: SweepState): void;
  setLastRound(report: CycleReport): void;
}

export function sweepOf(state: () => State): SweepWrites {
  return {
    position: () => state().sweep,
    lastRound: () => state().lastCycle,
    setPosition(sweep) {
      state().sweep = sweep;
    },
    setLastRound(report) {
      state().lastCycle = report;
    },
  };
}
