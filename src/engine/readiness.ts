// GET /readyz: ready, or the one word that says why not. Safe to show anyone: it names no customer,
// conversation or host, unlike /healthz.
import type { TokenStatus } from '../partnerCenter/tokenStatus.js';
import type { HealthReport } from './health.js';

/**
 * - `store`: the state store cannot be reached;
 * - `token`: Partner Center refuses the stored refresh token (an admin agent must consent again);
 * - `stalled`: the sweep or delivery made no progress for HEALTH_STALL_MINUTES.
 */
export type NotReady = 'store' | 'token' | 'stalled';

export interface ReadinessInputs {
  storeReachable: () => Promise<boolean>;
  tokenStatus: TokenStatus;
  health: () => Promise<HealthReport>;
}

/** null when ready. The most fundamental cause first: a refused token or a lost store also stall the sweep. */
export async function notReady({ storeReachable, tokenStatus, health }: ReadinessInputs): Promise<NotReady | null> {
  if (!(await storeReachable())) return 'store';
  if (tokenStatus.condition() === 'refused') return 'token';
  if ((await health()).status === 'stalled') return 'stalled';
  return null;
}
