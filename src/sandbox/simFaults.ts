// Injected failures and the per-second rate limit. Both sit in front of the routes so a test can
// make any endpoint misbehave without the routes knowing.

export interface FaultRule {
  /** Only this HTTP method (any case); all methods when absent. */
  method?: string;
  /** Matched against the request target (path and query, as sent): a RegExp, or a substring. */
  path: RegExp | string;
  /** Answer with this status instead of the real response. */
  status?: number;
  /** Body for `status`; defaults to the contract's error shape for that status. */
  body?: unknown;
  /** Adds a `Retry-After` header (seconds); 429 defaults to 1. */
  retryAfterSeconds?: number;
  /** Never answer: the request stays open until the simulator closes. */
  hang?: boolean;
  /** Extra delay before answering (with `status`, or before the real response). */
  latencyMs?: number;
  /** How many matching requests it applies to; default 1, `Infinity` allowed. */
  times?: number;
}

export interface FaultHandle {
  readonly id: number;
  /** Matching requests still to be affected. */
  readonly remaining: number;
  remove(): void;
}

export interface FaultController {
  add(rule: FaultRule): FaultHandle;
  clear(): void;
  /** Rules not yet used up, in matching order. */
  readonly pending: readonly FaultRule[];
}

interface ActiveRule {
  id: number;
  rule: FaultRule;
  remaining: number;
}

export class FaultList implements FaultController {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  add(rule: FaultRule): FaultHandle {
    const times = rule.times ?? 1;
    if (!(times > 0)) throw new Error('fault times must be positive');
    const active: ActiveRule = { id: this.nextId++, rule, remaining: times };
    this.rules.push(active);
    const list = this;
    return {
      id: active.id,
      get remaining() {
        return active.remaining;
      },
      remove() {
        active.remaining = 0;
        list.rules = list.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    for (const r of this.rules) r.remaining = 0;
    this.rules = [];
  }

  get pending(): readonly FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** The first matching rule, with one use consumed. */
  take(method: string, target: string): FaultRule | undefined {
    if (this.rules.length === 0) return undefined;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (typeof rule.path === 'string') {
        if (!target.includes(rule.path)) continue;
      } else {
        rule.path.lastIndex = 0;
        if (!rule.path.test(target)) continue;
      }
      active.remaining -= 1;
      if (active.remaining <= 0) this.rules = this.rules.filter((r) => r !== active);
      return rule;
    }
    return undefined;
  }
}

/** A fault rule as JSON (for `POST /_sim/faults` from another process). */
export function faultFromJson(input: unknown): FaultRule {
  if (typeof input !== 'object' || input === null) throw new Error('fault must be a JSON object');
  const o = input as Record<string, unknown>;
  const path =
    typeof o.pathPattern === 'string' ? new RegExp(o.pathPattern) : typeof o.path === 'string' ? o.path : undefined;
  if (path === undefined) throw new Error('fault needs "path" (substring) or "pathPattern" (regular expression)');
  const rule: FaultRule = { path };
  if (typeof o.method === 'string') rule.method = o.method;
  if (typeof o.status === 'number') rule.status = o.status;
  if (o.body !== undefined) rule.body = o.body;
  if (typeof o.retryAfterSeconds === 'number') rule.retryAfterSeconds = o.retryAfterSeconds;
  if (o.hang === true) rule.hang = true;
  if (typeof o.latencyMs === 'number') rule.latencyMs = o.latencyMs;
  if (typeof o.times === 'number') rule.times = o.times;
  if (o.times === 'Infinity' || o.times === 'infinite') rule.times = Infinity;
  return rule;
}

/** Fixed one-second windows: simple, and exact enough to make a client meet 429 and Retry-After. */
export class RateLimiter {
  private windowStart = -1;
  private used = 0;

  constructor(private readonly perSecond: number) {}

  /** null when allowed; otherwise the seconds to wait. */
  check(nowMs: number): number | null {
    const window = Math.floor(nowMs / 1000);
    if (window !== this.windowStart) {
      this.windowStart = window;
      this.used = 0;
    }
    if (this.used < this.perSecond) {
      this.used += 1;
      return null;
    }
    return Math.max(1, Math.ceil(((window + 1) * 1000 - nowMs) / 1000));
  }
}
