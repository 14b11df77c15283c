// Stay inside Teams' documented limits instead of discovering them through 429s: per conversation
// 7 sends a second, 60 per 30 seconds and 1800 an hour; per bot about 50 a second overall.
import { systemClock, type Clock } from '../partnerCenter/rateBudget.js';

export interface Window {
  ms: number;
  max: number;
}

export const TEAMS_CONVERSATION_WINDOWS: Window[] = [
  { ms: 1_000, max: 7 },
  { ms: 30_000, max: 60 },
  { ms: 3_600_000, max: 1_800 },
];
export const TEAMS_GLOBAL_WINDOWS: Window[] = [{ ms: 1_000, max: 50 }];

/** Sliding-window log: remembers send times and waits until every window has room. */
class SlidingWindows {
  private readonly times: number[] = [];
  constructor(private readonly windows: Window[]) {}

  /** Milliseconds until a send would fit every window (0 = now). */
  waitMs(now: number): number {
    const longest = Math.max(...this.windows.map((window) => window.ms));
    while (this.times.length > 0 && (this.times[0] ?? 0) <= now - longest) this.times.shift();
    let wait = 0;
    for (const window of this.windows) {
      const inWindow = this.times.filter((time) => time > now - window.ms);
      if (inWindow.length >= window.max) {
        const oldestThatMustExpire = inWindow[inWindow.length - window.max] ?? now;
        wait = Math.max(wait, oldestThatMustExpire + window.ms - now);
      }
    }
    return wait;
  }

  record(now: number): void {
    this.times.push(now);
  }
}

export class TeamsRateLimiter {
  private readonly perConversation = new Map<string, SlidingWindows>();
  private readonly global: SlidingWindows;
  private readonly clock: Clock;

  constructor(
    options: { clock?: Clock; conversationWindows?: Window[]; globalWindows?: Window[] } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.global = new SlidingWindows(options.globalWindows ?? TEAMS_GLOBAL_WINDOWS);
    this.conversationWindows = options.conversationWindows ?? TEAMS_CONVERSATION_WINDOWS;
  }

  private readonly conversationWindows: Window[];

  /** Resolves when one more request to `conversationKey` may be sent, and counts it. */
  async acquire(conversationKey: string): Promise<void> {
    let windows = this.perConversation.get(conversationKey);
    if (!windows) {
      windows = new SlidingWindows(this.conversationWindows);
      this.perConversation.set(conversationKey, windows);
    }
    for (;;) {
      const now = this.clock.now();
      const wait = Math.max(windows.waitMs(now), this.global.waitMs(now));
      if (wait <= 0) {
        windows.record(now);
        this.global.record(now);
        return;
      }
      await this.clock.sleep(wait);
    }
  }
}
