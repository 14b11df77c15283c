// The shapes of the ids that travel in card buttons. Card data comes back from Teams as untrusted input,
// so buttons are only made for ids of these shapes and every click is checked against them again.

/** A Partner Center customer id: its Entra tenant id, a GUID. */
export const CUSTOMER_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A service incident or message id: a workload prefix and a number, e.g. EX123456, MC900001. */
export const INCIDENT_ID = /^[A-Z]{2}\d{3,9}$/;

/** Order ids are opaque (GUIDs, base64url, digits) but never contain spaces or URL specials. */
export const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const isCustomerId = (id: string): boolean => CUSTOMER_ID.test(id);
export const isIncidentId = (id: string): boolean => INCIDENT_ID.test(id);
export const isOrderId = (id: string): boolean => ORDER_ID.test(id);

/** A subscription id: a GUID in Partner Center; any short id of safe characters is accepted back from a card. */
export const SUBSCRIPTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const isSubscriptionId = (id: string): boolean => SUBSCRIPTION_ID.test(id);
