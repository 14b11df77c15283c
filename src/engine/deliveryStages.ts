// The chain of stages one delivery passes, in Alertmanager's order, one file each in stages/:
// route (is the conversation still there? which card thread?) → dedup against the delivery log → quiet
// hours (held for their summary, or edited without a reply) → mute (a muted card is still edited, its reply
// held; a reply not due yet waits while the card is edited) → send or edit with retries and a timeout →
// record. Each stage passes the attempt on or ends it with an outcome. A card thread's kind (incident,
// subscription, access, ...) is looked up in the thread-kind registry, never asked of its source.
import type { Delivery, State } from '../store/state.js';
import { QuietHoursStage } from './quietHours.js';
import { nextDueAt } from './cardPacing.js';
import { isThreadDelivery, threadKindOf, threadOf, threadsLoads } from './threadKinds.js';
import { DedupStage } from './stages/dedup.js';
import { MuteStage } from './stages/mute.js';
import { QuietHoursGate } from './stages/quietHours.js';
import { RecordStage } from './stages/record.js';
import { RouteStage } from './stages/route.js';
import { SendStage } from './stages/send.js';
import { NEXT, newAttempt, type ChainContext, type DeliveryStage, type Outcome, type StageDeps } from './stages/stage.js';
import { UnrecordedDeliveries } from './stages/unrecorded.js';

export type { AlertCards, Outcome, StageDeps } from './stages/stage.js';

export class DeliveryStages {
  private readonly chain: ChainContext;
  private readonly stages: readonly DeliveryStage[];

  constructor(deps: StageDeps) {
    const kinds = deps.threadKinds;
    this.chain = { deps, kinds, quiet: new QuietHoursStage({ ...deps, threadKinds: kinds }), unrecorded: new UnrecordedDeliveries() };
    const chain = this.chain;
    this.stages = [new RouteStage(chain), new DedupStage(chain), new QuietHoursGate(chain), new MuteStage(chain), new SendStage(chain), new RecordStage(chain)];
  }

  /** Deliveries sent whose record is still to be written. */
  unrecordedIds(): string[] {
    return this.chain.unrecorded.ids();
  }

  /** A delivery to this conversation was sent and its record is still to be written. */
  hasUnrecorded(targetKey: string): boolean {
    return this.chain.unrecorded.hasTarget(targetKey);
  }

  /**
   * When a delivery with a thread reply may go next: its reply once the thread's replies are spaced, its
   * card's edit alone sooner when the card is behind the thread (edits of one card spaced a little too).
   */
  dueAt(delivery: Delivery, state: Readonly<State>): number {
    const { kinds, deps } = this.chain;
    // Without a reply it may go at once: its thread is not read (nor loaded by pacingView).
    if (!this.replies(delivery)) return 0;
    return nextDueAt(true, threadOf(kinds, delivery, state), deps);
  }

  /**
   * The state with the card threads dueAt reads of these deliveries (those that reply): the threads are
   * paged (store/pagedThreads.ts), read by key for this look only.
   */
  async pacingView(deliveries: readonly Delivery[]): Promise<Readonly<State>> {
    return this.chain.deps.store.view(threadsLoads(this.chain.kinds, deliveries.filter((delivery) => this.replies(delivery))));
  }

  private replies(delivery: Delivery): boolean {
    const kind = threadKindOf(this.chain.kinds, delivery);
    return kind !== undefined && isThreadDelivery(delivery) && kind.hasReply(delivery);
  }

  async deliver(delivery: Delivery): Promise<Outcome> {
    const attempt = newAttempt(delivery);
    for (const stage of this.stages) {
      const outcome = await stage.run(attempt);
      if (outcome !== NEXT) return outcome;
    }
    throw new Error('the delivery chain ended without an outcome'); // the record stage always has one
  }
}
