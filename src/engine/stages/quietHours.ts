// Quiet-hours stage: during a conversation's quiet hours a delivery is held for the summary at their end,
// or its card is edited without a reply (the decision and the holding are in ../quietHours.ts).
import { NEXT, type ChainContext, type DeliveryAttempt, type DeliveryStage } from './stage.js';

export class QuietHoursGate implements DeliveryStage {
  constructor(private readonly chain: ChainContext) {}

  async run(attempt: DeliveryAttempt): Promise<'held' | typeof NEXT> {
    if (!attempt.target) return NEXT; // the route stage always sets it
    const decision = await this.chain.quiet.decide(attempt.delivery, attempt.target, attempt.thread);
    return decision === 'held' ? 'held' : NEXT;
  }
}
