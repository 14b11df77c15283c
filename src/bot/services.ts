// What the command and card-action handlers need from the rest of the app.
import type { Logger } from 'pino';
import type { PollAnswer } from '../engine/engine.js';
import type { AlertSource, BatchSources } from '../sources/source.js';
import type { PartnerCenterClient } from '../partnerCenter/client.js';
import type { CustomerDirectory } from '../partnerCenter/customerDirectory.js';
import type { OrderLineBook } from '../partnerCenter/orderLines.js';
import type { SubscriptionSource } from '../sources/subscriptions/index.js';
import type { AccessSource } from '../sources/access/index.js';
import type { StateStore } from '../store/stateStore.js';
import type { TicketDesk } from './ticketCommands.js';

export interface BotServices {
  client: PartnerCenterClient;
  directory: CustomerDirectory;
  /** Orders' line items (product names), read once per order. */
  orders: OrderLineBook;
  store: StateStore;
  log: Logger;
  /** The alert engine, as far as the bot may drive it. */
  engine: {
    /**
     * Starts a sweep round now (or joins the one running); its summary is posted to `targetKey` later, in
     * the thread of `threadRoot` when the command came from a channel thread.
     */
    pollNow(targetKey: string, threadRoot?: string | null): Promise<PollAnswer>;
    /** Watches changed: the fast lane should look at them at once. */
    watchesChanged(): void;
    /** A digest or quiet hours changed: the scheduler should look at once. */
    schedulesChanged?(): void;
    /** Alert sources beyond incidents and orders: "digest now" shows their sections too. */
    readonly sources?: readonly AlertSource[];
    /** The incidents and provisioning sources: "digest now" shows their parts. */
    readonly batchSources: BatchSources;
  };
  /** The subscription alert source (its settings and a new watch's baseline); default settings when absent. */
  subscriptions?: SubscriptionSource;
  /** PSA tickets (TICKETS), for the `tickets` commands; absent when they are off. */
  tickets?: TicketDesk;
  /** The GDAP access source (its Graph client and settings); absent when the app runs without Graph. */
  access?: AccessSource;
}
