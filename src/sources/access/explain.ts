// One story with Partner Center's 403: when it starts refusing a customer, what the last GDAP listing
// knows explains it — the last relationship expired or was terminated — or, when the relationships look
// fine, names the roles Partner Center needs. Pure; null when the listing knows nothing of the customer.
import { formatDay } from '../subscriptions/dates.js';
import type { AccessSnapshot } from './model.js';
import { isCovering, isEnded, PARTNER_CENTER_ROLES, roleName } from './words.js';

export function explainRefusal(snapshot: AccessSnapshot | undefined, customerName: string, now: Date): string | null {
  if (!snapshot || snapshot.relationships.length === 0) return null;
  const name = customerName || snapshot.customerName;
  const covering = snapshot.relationships.filter(isCovering);
  if (covering.length === 0) {
    const ended = snapshot.relationships.filter(isEnded).sort((a, b) => (b.endDay ?? '').localeCompare(a.endDay ?? ''))[0];
    if (!ended) return `${name} has no active GDAP relationship: none was approved yet.`;
    const when = ended.endDay ? ` on ${formatDay(ended.endDay, now)}` : '';
    return `${name}'s last GDAP relationship “${ended.name}” ${ended.status === 'terminated' ? 'was terminated' : 'expired'}${when}.`;
  }
  const held = new Set(covering.flatMap((print) => print.roles).map(roleName));
  const needed = PARTNER_CENTER_ROLES.filter((role) => held.has(role));
  const list = `${PARTNER_CENTER_ROLES.slice(0, -1).join(', ')} or ${PARTNER_CENTER_ROLES.at(-1)}`;
  if (needed.length === 0) return `${name}'s GDAP relationships are active but grant none of the roles Partner Center needs here (${list}).`;
  return `${name}'s GDAP relationships look fine (active, with ${needed.join(', ')}): check that a security group holding one of the roles Partner Center needs (${list}) includes the app's user.`;
}
