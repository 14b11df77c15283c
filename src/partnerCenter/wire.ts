// Partner Center JSON → domain types. Tolerant by design: enums arrive as snake_case strings or as ints
// (the swagger says int32), unknown values map to a safe default, and optional fields may be missing.
// Only what the product needs is validated; everything else is ignored.
import { z } from 'zod';
import type {
  Customer,
  Incident,
  IncidentKind,
  PageLink,
  ProvisioningLine,
  RelationshipToPartner,
  Severity,
  Subscription,
  SubscriptionStatus,
} from '../domain/types.js';

/** An enum that Partner Center may send as a name or as its int32 position. */
function tolerantEnum<const T extends readonly string[]>(names: T, fallback: T[number]) {
  // `.optional()` so a missing field gets the fallback too: in zod 4 a bare `z.unknown().transform()`
  // makes the key required, and one incident without `severity` would fail the whole list.
  return z
    .unknown()
    .optional()
    .transform((value): T[number] => {
      if (typeof value === 'number') return names[value] ?? fallback;
      if (typeof value !== 'string') return fallback;
      const lower = value.trim().replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
      return (names as readonly string[]).includes(lower) ? (lower as T[number]) : fallback;
    });
}

const text = z.string().nullish().transform((value) => value ?? '');
// Partner Center says "0001-01-01T00:00:00" for "not ended".
const optionalDate = z
  .string()
  .nullish()
  .transform((value) => (!value || value.startsWith('0001-01-01') ? null : value));

const linkSchema = z.object({
  uri: z.string(),
  headers: z.array(z.object({ key: z.string(), value: z.string() })).nullish(),
});

export const collectionSchema = z.object({
  items: z.array(z.unknown()).nullish().transform((items) => items ?? []),
  links: z.object({ next: linkSchema.nullish() }).nullish(),
});

export function nextLink(collection: z.infer<typeof collectionSchema>): PageLink | null {
  const next = collection.links?.next;
  return next ? { uri: next.uri, headers: next.headers ?? [] } : null;
}

const RELATIONSHIPS = ['unknown', 'reseller', 'advisor', 'syndication', 'microsoft_support', 'none'] as const;

export const customerSchema = z
  .object({
    id: z.string().min(1),
    companyProfile: z.object({ companyName: text, domain: text, tenantId: z.string().nullish() }).nullish(),
    relationshipToPartner: tolerantEnum(RELATIONSHIPS, 'unknown'),
  })
  .transform(
    (raw): Customer => ({
      id: raw.id,
      companyName: raw.companyProfile?.companyName || raw.companyProfile?.domain || raw.id,
      domain: raw.companyProfile?.domain ?? '',
      relationshipToPartner: raw.relationshipToPartner as RelationshipToPartner,
    }),
  );

const SEVERITY_NAMES = ['normal', 'information', 'warning', 'critical'] as const;
const KIND_NAMES = ['none', 'incident', 'message_center', 'all'] as const;

const messageSchema = z.object({ publishedTime: text, messageText: text });

const incidentDetailSchema = z.object({
  id: z.string().min(1),
  messageType: tolerantEnum(KIND_NAMES, 'incident'),
  workload: text,
  affectedWorkloadNames: z.array(z.string()).nullish(),
  impactedArea: text,
  category: text,
  severity: tolerantEnum(SEVERITY_NAMES, 'normal'),
  status: tolerantEnum(SEVERITY_NAMES, 'normal'),
  startTime: text,
  endTime: optionalDate,
  resolved: z.boolean().nullish().transform((value) => value ?? false),
  messages: z.array(messageSchema).nullish().transform((value) => value ?? []),
});

/** The SDKs also know a grouped form: `{workload, incidents:[...], messageCenterMessages:[...]}` per item. */
const groupedSchema = z.object({
  incidents: z.array(z.unknown()).nullish(),
  messageCenterMessages: z.array(z.unknown()).nullish(),
});

/** An incident as every customer it hits sees it: all but whose it is. */
export type IncidentDetail = Omit<Incident, 'customerId'>;

/**
 * Incidents of one customer, from either wire form. Raw message text is kept as sent; turning HTML into
 * plain text is the cards' job, so the stored snapshot stays faithful to what Partner Center said.
 * `detailOf` reads one incident's wire form (sharedIncidents.ts shares one copy among customers).
 */
export function parseIncidents(customerId: string, items: unknown[], detailOf: (wire: unknown) => IncidentDetail = parseIncidentDetail): Incident[] {
  const details: unknown[] = [];
  for (const item of items) {
    const grouped = groupedSchema.safeParse(item);
    if (grouped.success && (grouped.data.incidents || grouped.data.messageCenterMessages)) {
      details.push(...(grouped.data.incidents ?? []), ...(grouped.data.messageCenterMessages ?? []));
    } else {
      details.push(item);
    }
  }
  return details.map((detail) => ({ ...detailOf(detail), customerId }));
}

export function parseIncidentDetail(detail: unknown): IncidentDetail {
  const raw = incidentDetailSchema.parse(detail);
  return {
    id: raw.id,
    kind: raw.messageType as IncidentKind,
    workload: raw.workload || raw.affectedWorkloadNames?.[0] || 'Office 365',
    title: raw.impactedArea || raw.category || raw.id,
    severity: raw.severity as Severity,
    status: raw.status as Severity,
    startTime: raw.startTime,
    endTime: raw.endTime,
    resolved: raw.resolved,
    messages: raw.messages
      .map((message) => ({ publishedTime: message.publishedTime, text: message.messageText }))
      .sort((a, b) => a.publishedTime.localeCompare(b.publishedTime)),
  };
}

const SUBSCRIPTION_STATUSES = ['none', 'active', 'pending', 'suspended', 'expired', 'deleted', 'disabled'] as const;

export const subscriptionSchema = z
  .object({
    id: z.string().min(1),
    offerName: text,
    friendlyName: text,
    quantity: z.coerce.number().nullish(),
    unitType: text,
    status: tolerantEnum(SUBSCRIPTION_STATUSES, 'none'),
    billingCycle: z.union([z.string(), z.number()]).nullish(),
    termDuration: text,
    commitmentEndDate: optionalDate,
    autoRenewEnabled: z.boolean().nullish(),
    isTrial: z.boolean().nullish(),
    orderId: z.string().nullish(),
    // Absent on most subscriptions: false / null / [] then, and an odd shape never fails the whole list.
    attentionNeeded: z.unknown().optional().transform((value) => value === true || value === 'true'),
    attentionReason: z.unknown().optional().transform((value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null)),
    suspensionReasons: z
      .unknown()
      .optional()
      .transform((value) => (Array.isArray(value) ? value.filter((reason): reason is string => typeof reason === 'string' && reason.trim() !== '') : [])),
  })
  .transform(
    (raw): Subscription => ({
      id: raw.id,
      offerName: raw.offerName,
      friendlyName: raw.friendlyName || raw.offerName,
      quantity: raw.quantity ?? 0,
      unitType: raw.unitType,
      status: raw.status as SubscriptionStatus,
      billingCycle: typeof raw.billingCycle === 'string' ? raw.billingCycle.toLowerCase() : 'unknown',
      termDuration: raw.termDuration,
      commitmentEndDate: raw.commitmentEndDate,
      autoRenewEnabled: raw.autoRenewEnabled ?? false,
      isTrial: raw.isTrial ?? false,
      orderId: raw.orderId ?? null,
      attentionNeeded: raw.attentionNeeded,
      attentionReason: raw.attentionReason,
      suspensionReasons: raw.suspensionReasons,
    }),
  );

const provisioningStatus = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => (typeof value === 'string' ? value.trim().toLowerCase() : 'unknown'));

export const provisioningLineSchema = z
  .object({
    lineItemNumber: z.coerce.number(),
    status: provisioningStatus,
    quantityProvisioningInformation: z
      .array(z.object({ quantity: z.coerce.number(), status: provisioningStatus }))
      .nullish(),
  })
  .transform(
    (raw): ProvisioningLine => ({
      lineItemNumber: raw.lineItemNumber,
      status: raw.status,
      quantities: raw.quantityProvisioningInformation ?? [],
    }),
  );

/** An order header: which customer an order belongs to, when it was placed, its status and its lines. */
export const orderSchema = z.object({
  id: z.string().min(1),
  status: text,
  /** When the order was placed; null when Partner Center leaves it out. */
  creationDate: z.string().nullish().transform((value) => value ?? null),
  lineItems: z
    .array(z.object({ lineItemNumber: z.coerce.number(), offerId: text, friendlyName: text, quantity: z.coerce.number().nullish() }))
    .nullish()
    .transform((value) => value ?? []),
});
export type OrderSummary = z.infer<typeof orderSchema>;
