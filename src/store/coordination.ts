// What several instances sharing one store agree on: who sweeps Partner Center (leadership), who delivers
// to a conversation right now (claims), and who serves a webhook or PSA endpoint (endpoints). With the
// lowdb store there is one process (its lock file says so): it always leads and every claim is its own.

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

/**
 * A conversation's claim: the queued deliveries it covers are this instance's to send. With PostgreSQL
 * they are the outbox rows stamped with its id when it claimed (outboxClaims.ts); a delivery queued later
 * is covered once the claim is extended.
 */
export interface ConversationClaim extends Claim {
  covers(deliveryId: string): boolean;
  /** Claims the conversation again: renews it and covers what was queued since. false: another instance holds it now. */
  extend(): Promise<boolean>;
}

export interface ConversationClaims {
  /** This instance delivers to the conversation until release, or null: another instance does right now (or nothing is queued). */
  claim(targetKey: string): Promise<ConversationClaim | null>;
  /** Some instance delivers to the conversation (as seen by the sweep's last commit): its queue is not merged into. */
  busy(targetKey: string): boolean;
}

/** Webhook and PSA endpoints (outbound.ts): one instance at a time serves an endpoint's queue. */
export interface EndpointClaims {
  claim(key: string): Promise<Claim | null>;
}

export interface Coordination {
  leadership: Leadership;
  claims: ConversationClaims;
  endpoints: EndpointClaims;
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
      claim: () => Promise.resolve({ release: () => Promise.resolve(), covers: () => true, extend: () => Promise.resolve(true) }),
      busy: () => false,
    },
    endpoints: {
      claim: () => Promise.resolve({ release: () => Promise.resolve() }),
    },
  };
}
