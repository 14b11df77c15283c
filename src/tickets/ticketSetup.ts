// The ticket destination the settings ask for: the chosen PSA's connector behind the one destination.
import type { Clock } from '../partnerCenter/rateBudget.js';
import type { StateStore } from '../store/stateStore.js';
import { AutotaskConnector } from './autotask.js';
import { ConnectWiseConnector } from './connectwise.js';
import type { TicketConnector } from './connector.js';
import { TicketDestination } from './ticketDestination.js';
import type { TicketSettings } from './ticketSettings.js';

export function ticketConnector(settings: TicketSettings, options: { clock?: Clock; fetch?: typeof fetch; timeoutMs?: number } = {}): TicketConnector {
  const http = { requestsPerMinute: settings.requestsPerMinute, clock: options.clock, fetch: options.fetch, timeoutMs: options.timeoutMs };
  return settings.psa.kind === 'autotask' ? new AutotaskConnector(settings.psa, http) : new ConnectWiseConnector(settings.psa, http);
}

export function ticketDestination(settings: TicketSettings, store: StateStore, options: { clock?: Clock; fetch?: typeof fetch } = {}): TicketDestination {
  const clock = options.clock;
  return new TicketDestination({
    connector: ticketConnector(settings, options),
    store,
    settings,
    ...(clock ? { now: () => new Date(clock.now()) } : {}),
  });
}
