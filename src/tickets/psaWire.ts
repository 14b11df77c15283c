// The shapes of the PSA answers the connectors rely on, checked with zod at the boundary: an answer of another
// shape becomes one sentence (a PsaError, retried later), never a TypeError deep in the destination.
import { z } from 'zod';
import { PsaError } from './connector.js';

const withId = z.looseObject({ id: z.number().int() });

export const AUTOTASK_WIRE = {
  zone: z.looseObject({ url: z.string().min(1), webUrl: z.string().nullish() }),
  created: z.looseObject({ itemId: z.number().int() }),
  item: z.looseObject({ item: withId.nullable() }),
  page: z.looseObject({ items: z.array(withId), pageDetails: z.looseObject({ nextPageUrl: z.string().nullish() }).nullish() }),
};

export const CONNECTWISE_WIRE = {
  ticket: withId,
  list: z.array(withId),
  company: withId,
};

/** `body` as `schema` says, or a PsaError naming what did not fit. */
export function fromWire<T>(schema: z.ZodType<T>, body: unknown, vendor: string, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new PsaError('unavailable', `${vendor} answered ${what} in a shape the bot does not know (${issue?.message ?? 'unreadable'}${where}).`, null);
}
