// What several instances sharing one store agree on: who sweeps Partner Center (leadership), and who
// delivers to a conversation right now (claims). With the lowdb store there is one process (its lock file
// says so): it always leads and every claim is its own.

export interface Leadership {
  /** This instance sweeps Partner Center now; only its sweep commits are accepted. */
  readonly leading: boolean;
  /** Called whenever `leading` changes. */
  onChange(listener: (leading: boolean) => void): void;
  /** For /healthz. */
  report(): LeadershipReport;
}

export interface LeadershipReport {
  instance: string;
  leading: boolean;
  /** The fencing token this instance leads with. */
  token?: number | null;
  leaseSeconds?: number;
  /** The other instances on the same database and when each was last heard of. */
  others?: { instance: string; leading: boolean; heartbeatAt: string; secondsAgo: number }[];
}

export interface Claim {
  release(): Promise<void>;
}

export interface ConversationClaims {
  /** This instance delivers to the conversation until release, or null: another instance does right now. */
  claim(targetKey: string): Promise<Claim | null>;
  /** Some instance delivers to the conversation (as seen by the sweep's last commit): its queue is not merged into. */
  busy(targetKey: string): boolean;
}

export interface Coordination {
  leadership: Leadership;
  claims: ConversationClaims;
}

/** One process, one store: it leads, and claims are taken by the delivery pipeline's own workers. */
export function soleInstance(instance: string): Coordination {
  return {
    leadership: {
      leading: true,
      onChange: () => undefined,
      report: () => ({ instance, leading: true }),
    },
    claims: {
      claim: () => Promise.resolve({ release: () => Promise.resolve() }),
      busy: () => false,
    },
  };
}
