// Card buttons of the PSA ticket commands: map a customer to a likely company, list the unmapped again.
import { VERBS } from '../../cards.js';
import { mapCustomer, unmappedCard } from '../ticketCommands.js';
import { personal, requireCustomer, shared, type ActionRoutes } from './kit.js';

export const ticketActions: ActionRoutes<typeof VERBS.ticketMap | typeof VERBS.ticketsUnmapped> = {
  [VERBS.ticketMap]: {
    async run(services, data, ctx) {
      const customer = await requireCustomer(services, data.customerId, ctx.correlationId);
      return shared(await mapCustomer(services, ctx, customer, data.companyId));
    },
    doing: () => 'mapping a customer to its PSA company',
  },
  [VERBS.ticketsUnmapped]: {
    async run(services, _data, ctx) {
      return personal(await unmappedCard(services, ctx));
    },
    doing: () => 'listing the customers without a PSA company',
  },
};
