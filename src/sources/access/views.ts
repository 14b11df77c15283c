// View data of the access cards people ask for: "access for <customer>" (its relationships, with a line at
// the top when none is active) and "access expiring [days]" (customers whose access ends soonest first, 25
// a page, each row opening "access for"). A relationship row is shared with the alert card.
import { buttons as button } from '../../cardData/buttons.js';
import { asOf, count, name, renderAction, type CardButton } from '../../cardData/format.js';
import { renderCard, type AdaptiveCardJson } from '../../cards.js';
import { isCustomerId } from '../../domain/ids.js';
import { daysLeft, formatDay, relativeDays } from '../subscriptions/dates.js';
import { accessButtons } from './buttons.js';
import type { AccessEnding } from './digestSection.js';
import { adminRelationshipsUrl, type AccessGroup, type RelationshipPrint } from './model.js';
import { isCovering, roleName, statusWords } from './words.js';

export const ACCESS_PAGE_SIZE = 25;
/** Relationships one "access for" card lists. */
const RELATIONSHIPS_SHOWN = 20;

/** One relationship in words: status, end and days left, auto-extend, roles by name, the groups holding them. */
export function relationshipRow(print: RelationshipPrint, now: Date) {
  const end = print.malformed && !print.endDay ? 'ends on an unknown date' : print.endDay ? `ends ${formatDay(print.endDay, now)} (${daysWord(daysLeft(print.endDay, now))})` : 'no end date yet';
  const extend = print.malformed && print.autoExtend === undefined ? 'auto-extend unknown' : `auto-extend ${print.autoExtend ? 'yes' : 'no'}`;
  const roles = print.roles.length === 0 ? 'no roles' : print.roles.map(roleName).join(', ');
  const groups = print.groups === undefined ? 'Security groups: not read yet' : print.groups.length === 0 ? 'Security groups: none hold its roles' : `Security groups: ${print.groups.map(groupText).join('; ')}`;
  return {
    name: name(print.name, 120) || 'Unnamed relationship',
    detail: `${statusWords(print.status)} · ${end} · ${extend}`,
    roles: name(`Roles: ${roles}`, 400),
    groups: name(groups, 400),
  };
}

/** A group by its object id (an assignment names no group), with the roles it holds and a status other than active. */
function groupText(group: AccessGroup): string {
  const roles = group.roles.length > 0 ? ` holds ${group.roles.map(roleName).join(', ')}` : '';
  return `${group.groupId}${roles}${group.status === 'active' ? '' : ` (${group.status})`}`;
}

function daysWord(days: number): string {
  return days < 0 ? relativeDays(days) : days === 0 ? 'ends today' : days === 1 ? '1 day left' : `${days} days left`;
}

/** The link every access card ends with: the customer's admin relationships in Partner Center. */
export function withPartnerCenterLink(card: AdaptiveCardJson, customerId: string): AdaptiveCardJson {
  if (!isCustomerId(customerId)) return card;
  card.actions = [...(card.actions ?? []), { type: 'Action.OpenUrl', title: 'Open in Partner Center', url: adminRelationshipsUrl(customerId) }];
  return card;
}

export interface AccessCardInput {
  customer: { id: string; companyName: string };
  relationships: readonly RelationshipPrint[];
  now: Date;
}

export function accessView(input: AccessCardInput) {
  const shown = input.relationships.slice(0, RELATIONSHIPS_SHOWN);
  const customer = name(input.customer.companyName, 120) || 'this customer';
  const noneActive = !input.relationships.some(isCovering);
  return {
    title: `GDAP access · ${customer}`,
    subtitle: `${count(input.relationships.length, 'relationship')} · ${asOf(input.now)}`,
    noneActive,
    noneActiveText: `No GDAP relationship with ${customer} is active: the partner has no admin access to it now.`,
    isEmpty: input.relationships.length === 0,
    emptyText: `The partner has no GDAP relationship with ${customer}.`,
    relationships: shown.map((print) => relationshipRow(print, input.now)),
    hasMore: input.relationships.length > shown.length,
    moreText: `and ${count(input.relationships.length - shown.length, 'more relationship')}`,
  };
}

/** Customer and Refresh, then Open in Partner Center. */
export function accessCard(input: AccessCardInput): AdaptiveCardJson {
  const buttons: CardButton[] = isCustomerId(input.customer.id) ? [button.overview(input.customer.id), button.refresh(accessButtons.access(input.customer.id))] : [];
  return withPartnerCenterLink(renderCard('access', accessView(input), buttons), input.customer.id);
}

export interface AccessExpiringInput {
  endings: readonly AccessEnding[];
  days: number;
  page: number;
  now: Date;
  /** When the relationships were listed, if not now (the last listing of a watch). */
  asOf?: Date;
}

export function accessExpiringPage(input: Pick<AccessExpiringInput, 'endings' | 'page'>): { page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(input.endings.length / ACCESS_PAGE_SIZE));
  return { page: Math.min(Math.max(1, Math.floor(input.page)), pages), pages };
}

export function accessExpiringView(input: AccessExpiringInput) {
  const { page, pages } = accessExpiringPage(input);
  const start = (page - 1) * ACCESS_PAGE_SIZE;
  const rows = input.endings.slice(start, start + ACCESS_PAGE_SIZE);
  return {
    title: `Access ending within ${count(input.days, 'day')}`,
    subtitle: [count(input.endings.length, 'customer'), pages > 1 ? `page ${page} of ${pages}` : '', asOf(input.asOf ?? input.now)].filter(Boolean).join(' · '),
    isEmpty: input.endings.length === 0,
    emptyText: `No customer’s GDAP access ends within ${count(input.days, 'day')}: each has a later relationship or one that auto-extends.`,
    rows: rows.map((ending) => ({
      name: name(ending.customerName, 120) || 'Unnamed customer',
      detail: ending.day ? `Access ends ${formatDay(ending.day, input.now)} (${daysWord(ending.daysLeft ?? 0)})` : 'No active relationship',
      select: isCustomerId(ending.customerId) ? renderAction(accessButtons.access(ending.customerId)) : undefined,
    })),
  };
}

export function accessExpiringCard(input: AccessExpiringInput): AdaptiveCardJson {
  const { page, pages } = accessExpiringPage(input);
  const buttons: CardButton[] = [
    ...(page > 1 ? [accessButtons.expiring(input.days, page - 1, 'Previous')] : []),
    ...(page < pages ? [accessButtons.expiring(input.days, page + 1, 'Next')] : []),
    button.refresh(accessButtons.expiring(input.days, page)),
  ];
  return renderCard('accessExpiring', accessExpiringView(input), buttons);
}
