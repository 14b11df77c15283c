// One request budget shared by every Partner Center call of the process (poll cycles and chat commands
// alike), because Partner Center throttles per partner tenant, not per caller.
//
// Requests are spaced evenly (a leaky bucket) rather than sent in bursts per window: bursts are what
// trip a server-side limiter. And the budget is never spent to the last request: timing jitter on the
// way to the server can still squeeze one request too many into its window, so a little is held back.

export interface Clock {
  now(): number; // ms since epoch
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateBudgetOptions {
  requestsPerMinute: number;
  /** How many requests may go at once after an idle spell (default 1: none). */
  burst?: number;
  /** Share of the limit held back (default 0.05: at most 95% of it is used). */
  headroom?: number;
  clock?: Clock;
}

export class RateBudget {
  private readonly intervalMs: number;
  private readonly burstMs: number;
  private readonly clock: Clock;
  /** Theoretical arrival time of the next request (GCRA). */
  private tat = 0;
  private pausedUntil = 0;

  constructor(options: RateBudgetOptions) {
    if (!(options.requestsPerMinute > 0)) throw new Error('requestsPerMinute must be positive');
    this.intervalMs = 60_000 / (options.requestsPerMinute * (1 - (options.headroom ?? 0.05)));
    this.burstMs = this.intervalMs * Math.max(0, (options.burst ?? 1) - 1);
    this.clock = options.clock ?? systemClock;
  }

  /** Resolves when the caller may send one request. */
  async take(): Promise<void> {
    const now = this.clock.now();
    const tat = Math.max(this.tat, now, this.pausedUntil);
    const start = Math.max(now, this.pausedUntil, tat - this.burstMs);
    this.tat = tat + this.intervalMs;
    if (start > now) await this.clock.sleep(start - now);
  }

  /** Partner Center said 429: nobody in this process sends until `untilMs`. */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }
}
