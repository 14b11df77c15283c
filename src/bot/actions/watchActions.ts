// Buttons of the watches card: the list again, and "Stop watching" on a row, which removes that watch (a
// customer, "watch all" or an order) through the same functions as the other unwatch paths and answers
// with the updated list for everyone in the conversation.
import { VERBS, watchesCard } from '../../cards.js';
import type { BotServices } from '../services.js';
import { excludeFromWatchAll, removeAllCustomersWatch, removeCustomerWatch, removeOrderWatch, watchesOf } from '../watchBook.js';
import { personal, shared, type ActionContext, type ActionRoutes } from './kit.js';

type WatchVerbs = typeof VERBS.watches | typeof VERBS.unwatch | typeof VERBS.exclude;

export const watchActions: ActionRoutes<WatchVerbs> = {
  [VERBS.watches]: {
    doing: () => 'listing the watches of this conversation',
    run: async (services, _data, ctx) => personal(watchesCard({ watches: watchesOf(services, ctx), now: ctx.now })),
  },

  [VERBS.unwatch]: {
    doing: () => 'removing a watch',
    async run(services, data, ctx) {
      if (data.kind === 'all') await removeAllCustomersWatch(services, ctx);
      else if (data.kind === 'order') await removeOrderWatch(services, ctx, data.orderId);
      else {
        // The stored id as Partner Center spelt it; the button's id arrives lower-cased.
        const stored = customerWatch(services, ctx, data.customerId);
        if (stored) await removeCustomerWatch(services, ctx, stored);
      }
      services.engine.watchesChanged();
      // Already gone (a second click, a stale card) ends the same way: the list as it is now.
      return shared(watchesCard({ watches: watchesOf(services, ctx), now: ctx.now }));
    },
  },

  [VERBS.exclude]: {
    doing: () => 'leaving a customer out of “watch all”',
    async run(services, data, ctx) {
      // Only a customer of the partner's (the directory knows it) can be left out; a forged id changes nothing.
      const customer = await services.directory.lookup({ correlationId: ctx.correlationId }, data.customerId);
      if (customer) await excludeFromWatchAll(services, ctx, customer);
      return shared(watchesCard({ watches: watchesOf(services, ctx), now: ctx.now }));
    },
  },
};

function customerWatch(services: BotServices, ctx: ActionContext, customerId: string): string | undefined {
  return watchesOf(services, ctx).find((w) => w.kind === 'customer' && w.customerId?.toLowerCase() === customerId)?.customerId ?? undefined;
}
