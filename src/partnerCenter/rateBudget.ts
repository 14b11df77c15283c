// One request budget shared by every Partner Center call of the process (poll cycles and chat commands
// alike), because Partner Center throttles per partner tenant, not per caller.
//
// A token bucket with two lanes. Chat commands ("interactive") may spend every token; the poll sweep may
// only take a token while a few stay in reserve, so a command arriving during a sweep goes at once (at
// worst it waits one refill interval). Waiters do not book future slots: each lane queues in order, and
// whenever a token is due the interactive queue is served first. The bucket is small, so the rate stays
// smooth (bursts are what trip a server-side limiter), and the budget is never spent to the last request:
// timing jitter on the way to the server can still squeeze one request too many into its window, so a
// little is held back.

export interface Clock {
  now(): number; // ms since epoch
  /** Resolves after `ms`. An aborted `signal` may end the sleep early (it never rejects); clocks may ignore it. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export type Lane = 'interactive' | 'sweep';

export interface RateBudgetOptions {
  requestsPerMinute: number;
  /**
   * Bucket capacity: how many requests may go at once after an idle spell (default 8). Room above the
   * commands' reserve lets the sweep catch up a late timer or a busy event loop instead of losing that
   * time for good (with 4, the sweep got 86% of its rate); 8 extra requests in a minute stay inside the
   * headroom (475 + 8 < 500).
   */
  burst?: number;
  /** Tokens a sweep request must leave in the bucket for chat commands (default 3, at most burst - 1). */
  interactiveReserve?: number;
  /** Share of the limit held back (default 0.05: at most 95% of it is used). */
  headroom?: number;
  clock?: Clock;
}

export interface RateBudgetStats {
  queued: { interactive: number; sweep: number };
  /** When a 429 pause ends (ms since epoch), or null when not paused. */
  pausedUntil: number | null;
}

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Float slack when comparing token counts: a wake-up computed from them must find its token. */
const EPSILON = 1e-9;

export class RateBudget {
  private intervalMs: number;
  /** The interval at the whole limit (share 1). */
  private readonly fullIntervalMs: number;
  private readonly capacity: number;
  private readonly reserve: number;
  private readonly clock: Clock;
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;
  private readonly queues: Record<Lane, Waiter[]> = { interactive: [], sweep: [] };
  /** The one pending wake-up of the pump, if any. */
  private wake: { at: number; cancel: AbortController } | null = null;

  constructor(options: RateBudgetOptions) {
    if (!(options.requestsPerMinute > 0)) throw new Error('requestsPerMinute must be positive');
    const headroom = options.headroom ?? 0.05;
    if (!(headroom >= 0 && headroom < 1)) throw new Error('headroom must be in [0, 1)');
    this.fullIntervalMs = 60_000 / (options.requestsPerMinute * (1 - headroom));
    this.intervalMs = this.fullIntervalMs;
    this.capacity = Math.max(1, Math.floor(options.burst ?? 8));
    this.reserve = options.interactiveReserve ?? Math.min(3, this.capacity - 1);
    if (!(Number.isInteger(this.reserve) && this.reserve >= 0 && this.reserve < this.capacity)) {
      throw new Error('interactiveReserve must be a whole number below burst');
    }
    this.clock = options.clock ?? systemClock;
    this.tokens = this.capacity;
    this.refilledAt = this.clock.now();
  }

  /** Resolves when the caller may send one request; rejects with the signal's reason if it is aborted first. */
  take(lane: Lane = 'interactive', signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const queue = this.queues[lane];
          const index = queue.indexOf(waiter);
          if (index === -1) return;
          queue.splice(index, 1);
          reject(signal.reason);
          this.schedule();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queues[lane].push(waiter);
      this.serve();
      this.schedule();
    });
  }

  /** This process may use `share` (0-1] of the limit: several instances split one partner's limit. */
  setShare(share: number): void {
    if (!(share > 0 && share <= 1)) throw new Error('share must be in (0, 1]');
    this.refill(this.clock.now()); // tokens earned so far at the old rate
    this.intervalMs = this.fullIntervalMs / share;
    this.schedule();
  }

  /** Partner Center said 429: nobody in this process sends until `untilMs`. */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  stats(): RateBudgetStats {
    return {
      queued: { interactive: this.queues.interactive.length, sweep: this.queues.sweep.length },
      pausedUntil: this.pausedUntil > this.clock.now() ? this.pausedUntil : null,
    };
  }

  private refill(now: number): void {
    if (now > this.refilledAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) / this.intervalMs);
      this.refilledAt = now;
    }
  }

  /** Grants every waiter that may go now: interactive first, then sweep while the reserve stays. */
  private serve(): void {
    const now = this.clock.now();
    this.refill(now);
    if (now < this.pausedUntil) return;
    while (this.queues.interactive.length > 0 && this.tokens >= 1 - EPSILON) this.grant(this.queues.interactive);
    if (this.queues.interactive.length > 0) return;
    while (this.queues.sweep.length > 0 && this.tokens >= 1 + this.reserve - EPSILON) this.grant(this.queues.sweep);
  }

  private grant(queue: Waiter[]): void {
    const waiter = queue.shift();
    if (!waiter) return;
    this.tokens = Math.max(0, this.tokens - 1);
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve();
  }

  /** When the head of the queues can next go, or null when nobody waits. */
  private nextDueAt(): number | null {
    const needed =
      this.queues.interactive.length > 0 ? 1 : this.queues.sweep.length > 0 ? 1 + this.reserve : null;
    if (needed === null) return null;
    const tokenDue = this.refilledAt + Math.max(0, needed - this.tokens) * this.intervalMs;
    return Math.max(tokenDue, this.pausedUntil);
  }

  /** Keeps exactly one wake-up pending while anyone waits, early enough for the head of the queues. */
  private schedule(): void {
    const at = this.nextDueAt();
    if (at === null) {
      // Nobody waits: no timer may outlive the queues.
      this.wake?.cancel.abort();
      this.wake = null;
      return;
    }
    if (this.wake && this.wake.at <= at) return;
    this.wake?.cancel.abort();
    const wake = { at, cancel: new AbortController() };
    this.wake = wake;
    const onWake = () => {
      if (this.wake !== wake) return; // superseded by an earlier wake-up, or no longer needed
      this.wake = null;
      this.serve();
      this.schedule();
    };
    this.clock.sleep(Math.max(0, at - this.clock.now()), wake.cancel.signal).then(onWake, onWake);
  }
}
