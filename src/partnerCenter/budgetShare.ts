// Several instances on one PostgreSQL database share one partner's Partner Center limit. Only the leader
// sweeps, so it takes most of it; the others only answer chat commands and card clicks, and split the rest.
import type { LeadershipReport } from '../store/coordination.js';

/** What the instances that do not lead share between them, for commands. */
export const FOLLOWERS_SHARE = 0.1;

/**
 * This instance's share of the limit. Alone: all of it. Leading with others alive: all but theirs.
 * Following: an equal part of the followers' share. `aliveSeconds`: a heartbeat older than this is gone.
 */
export function budgetShare(report: LeadershipReport, aliveSeconds: number): number {
  const others = (report.others ?? []).filter((other) => other.secondsAgo <= aliveSeconds);
  if (others.length === 0) return 1;
  if (report.leading) return 1 - FOLLOWERS_SHARE;
  const followers = 1 + others.filter((other) => !other.leading).length;
  return FOLLOWERS_SHARE / followers;
}
