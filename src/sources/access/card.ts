// View data of the access alert: one card per customer access episode per conversation — the customer,
// the severity in words, when access ends and how many days are left, its relationships (status, end,
// auto-extend, roles, groups), what happened, who acknowledged or muted it here, and its buttons (Access,
// Customer, Acknowledge, Mute 7 days or Unmute, Open in Partner Center).
import { buttons as button } from '../../cardData/buttons.js';
import { formatUtc, formatUtcClock, name, severityLabel, severityStyle, type CardButton, type ContainerStyle } from '../../cardData/format.js';
import type { CardTicket } from '../../cardData/alertThread.js';
import { ticketFact } from '../../cardData/ticketLink.js';
import { renderCard, type AdaptiveCardJson } from '../../cards.js';
import { isCustomerId } from '../../domain/ids.js';
import { daysLeft, formatDay, relativeDays } from '../subscriptions/dates.js';
import { accessButtons } from './buttons.js';
import type { AccessChangeKind, AccessThread } from './model.js';
import { relationshipRow, withPartnerCenterLink } from './views.js';
import { accessEnd, accessLost } from './words.js';

export type AccessAlertThread = Pick<
  AccessThread,
  'customerId' | 'customerName' | 'episode' | 'relationships' | 'severity' | 'changes' | 'updatedAt' | 'closedAt' | 'mutedUntil' | 'mutedBy' | 'acknowledgedBy' | 'acknowledgedAt'
> & {
  /** The episode's PSA ticket (src/tickets/cardTickets.ts), once it has a number. */
  ticket?: CardTicket | null;
};

const HEADLINES: Record<AccessChangeKind, string> = {
  ending: 'access ending',
  expiredCovered: 'a relationship ended',
  lost: 'access lost',
  back: 'access back',
  stuck: 'stuck approval',
  unused: 'nobody can use a relationship',
  extended: 'access extended',
  used: 'a group holds the roles again',
};

function situation(thread: AccessAlertThread, now: Date): { headline: string; style: ContainerStyle; summary: string } {
  const customer = name(thread.customerName, 100) || 'this customer';
  const latest = thread.changes.at(-1);
  const news = [...thread.changes].reverse().find((change) => !change.recovery);
  if (thread.closedAt) {
    const back = thread.changes.some((change) => change.recovery);
    return { headline: back ? 'Information · access back to normal' : `${severityLabel(thread.severity)} · ${HEADLINES[latest?.kind ?? 'ending']}`, style: back ? 'good' : 'emphasis', summary: `${customer}: ${name(latest?.text ?? 'no longer a problem.', 300)}` };
  }
  if (accessLost(thread.relationships)) return { headline: 'Critical · access lost', style: 'attention', summary: `The partner has no active GDAP relationship with ${customer}: ${name(news?.text ?? '', 300)}` };
  const end = accessEnd(thread.relationships);
  if (end.kind === 'day' && news?.kind === 'ending') {
    const days = daysLeft(end.day, now);
    const severity = days <= 1 ? 'critical' : 'warning';
    return { headline: `${severityLabel(severity)} · access ends ${relativeDays(days)}`, style: severityStyle(severity), summary: `The partner’s admin access to ${customer} ends on ${formatDay(end.day, now)}: no active relationship lasts longer or auto-extends.` };
  }
  return { headline: `${severityLabel(thread.severity)} · ${HEADLINES[news?.kind ?? latest?.kind ?? 'ending']}`, style: severityStyle(thread.severity), summary: `${customer}: ${name(news?.text ?? latest?.text ?? '', 300)}` };
}

function activeMute(thread: AccessAlertThread, now: Date): { by: string; until: Date } | null {
  if (!thread.mutedUntil || !thread.mutedBy) return null;
  const until = new Date(thread.mutedUntil);
  return until.getTime() > now.getTime() ? { by: thread.mutedBy, until } : null;
}

export function accessAlertButtons(thread: AccessAlertThread, now: Date): CardButton[] {
  if (!isCustomerId(thread.customerId)) return [];
  const alert = { customerId: thread.customerId, episode: thread.episode };
  return [
    accessButtons.access(thread.customerId),
    button.overview(thread.customerId),
    ...(thread.acknowledgedBy ? [] : [accessButtons.acknowledge(alert)]),
    activeMute(thread, now) ? accessButtons.unmute(alert) : accessButtons.mute(alert),
  ];
}

export function accessAlertView(thread: AccessAlertThread, now: Date) {
  const { headline, style, summary } = situation(thread, now);
  const end = accessEnd(thread.relationships);
  const mute = activeMute(thread, now);
  const endText =
    end.kind === 'day'
      ? `${formatDay(end.day, now)} (${relativeDays(daysLeft(end.day, now))})`
      : end.kind === 'unknown'
        ? 'unknown (a date could not be read)'
        : accessLost(thread.relationships)
          ? 'already ended'
          : 'does not end (auto-extends)';
  return {
    headerStyle: style,
    headline,
    title: `GDAP access · ${name(thread.customerName, 120) || 'Unnamed customer'}`,
    summary,
    updated: `Updated ${formatUtc(thread.updatedAt)}`,
    hasAck: Boolean(thread.acknowledgedBy),
    ackText: thread.acknowledgedBy ? `Acknowledged by ${name(thread.acknowledgedBy, 80) || 'someone'}${thread.acknowledgedAt ? ` at ${formatUtcClock(thread.acknowledgedAt, now)}` : ''}` : '',
    hasMute: mute !== null,
    muteText: mute ? `Muted by ${name(mute.by, 80) || 'someone'} until ${formatUtcClock(mute.until, now)}: the card stays current, without thread replies` : '',
    facts: [
      { title: 'Customer', value: name(thread.customerName, 120) || 'unknown' },
      ...ticketFact(thread.ticket),
      { title: 'Severity', value: severityLabel(thread.severity) },
      { title: 'Access ends', value: endText },
    ],
    relationships: thread.relationships.map((print) => relationshipRow(print, now)),
    hasChanges: thread.changes.length > 0,
    changes: [...thread.changes].reverse().map((change) => ({ when: formatUtcClock(change.at, now), text: name(change.text, 300) || 'Changed.' })),
  };
}

/** The alert card of an access thread, as everyone in its conversation sees it. */
export function accessAlertCard(thread: AccessAlertThread, now: Date): AdaptiveCardJson {
  return withPartnerCenterLink(renderCard('accessAlert', accessAlertView(thread, now), accessAlertButtons(thread, now)), thread.customerId);
}
