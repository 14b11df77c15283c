// Runs poll cycles on the cron schedule and on demand ("poll now"), one at a time: a cycle never
// overlaps the previous one, and each is followed by delivering what it queued.
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { CycleReport } from '../store/state.js';
import type { DeliveryReport } from './delivery.js';

export interface SchedulerDeps {
  schedule: string;
  runCycle: (correlationId: string) => Promise<CycleReport>;
  deliver: () => Promise<DeliveryReport>;
  log: Logger;
}

export interface PollResult {
  cycle: CycleReport;
  delivery: DeliveryReport;
}

export class AlertScheduler {
  private task: ScheduledTask | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: Promise<PollResult> | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.task = cron.schedule(this.deps.schedule, () => {
      this.pollNow().catch((error: unknown) => this.deps.log.error({ err: error }, 'scheduled poll cycle failed'));
    });
  }

  /**
   * Run a cycle as soon as the current one (if any) ends. Requests made while one is already waiting
   * share it, so a burst of "poll now" costs one extra cycle, not many.
   */
  pollNow(): Promise<PollResult> {
    if (this.waiting) return this.waiting;
    const run = this.queue.then(async () => {
      this.waiting = null;
      const cycle = await this.deps.runCycle(randomUUID());
      const delivery = await this.deps.deliver();
      return { cycle, delivery };
    });
    this.waiting = run;
    this.queue = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = null;
    await this.queue;
  }
}
