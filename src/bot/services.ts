// What the command and card-action handlers need from the rest of the app.
import type { Logger } from 'pino';
import type { PollResult } from '../engine/scheduler.js';
import type { PartnerCenterClient } from '../partnerCenter/client.js';
import type { CustomerDirectory } from '../partnerCenter/customerDirectory.js';
import type { StateStore } from '../store/stateStore.js';

export interface BotServices {
  client: PartnerCenterClient;
  directory: CustomerDirectory;
  store: StateStore;
  log: Logger;
  /** Runs a poll cycle now and delivers what it found (absent when alerts are off). */
  pollNow?: () => Promise<PollResult>;
}
