// Service incidents. One Microsoft incident hits many tenants, so most incidents live in a shared
// pool and each customer's list holds references into it: updating a shared incident (as the
// scenario does) is seen by every affected customer, exactly like the real service.

import type { Severity } from '../domain/types.js';
import { chance, DAY, HOUR, int, iso, mix, NOT_ENDED, pick, streamFor, type Rng } from './simRandom.js';
import type { WireIncident, WireIncidentMessage, WireMessageType } from './simWire.js';

export const WORKLOAD_PREFIX: Readonly<Record<string, string>> = {
  'Exchange Online': 'EX',
  'Microsoft Teams': 'TM',
  'SharePoint Online': 'SP',
  'Microsoft Intune': 'IT',
  'OneDrive for Business': 'OD',
  'Microsoft 365 suite': 'MO',
};

interface Template {
  workload: string;
  kind: Exclude<WireMessageType, 'none' | 'all'>;
  severity: Severity;
  resolved: boolean;
  /** Share of customers affected. */
  prevalence: number;
  /** Contoso always has it, whatever the seed: the demo and the tests rely on it. */
  contoso: boolean;
  impactedArea: string;
  category: string;
  actionType: string;
  impact: string;
}

const SHARED: readonly Template[] = [
  t('Exchange Online', 'incident', 'warning', false, 0.3, true, 'Users may experience delays sending or receiving email',
    'Incident', 'Users may notice that inbound & outbound messages are delayed by up to 45 minutes.'),
  t('Microsoft Teams', 'incident', 'critical', false, 0.05, true, "Users can't join Microsoft Teams meetings from the desktop client",
    'Incident', 'Users attempting to join meetings see a spinning wheel & eventually an error.'),
  t('SharePoint Online', 'incident', 'warning', true, 0.2, true, 'Users may be unable to open SharePoint Online sites',
    'Incident', 'Users may receive a "Something went wrong" error when opening team sites.'),
  t('Microsoft Intune', 'incident', 'information', true, 0.1, true, "Admins can't enrol new iOS devices in Microsoft Intune",
    'Advisory', 'Device enrolment for iOS & iPadOS fails with error 0x80180014.'),
  t('OneDrive for Business', 'incident', 'information', false, 0.08, false, 'Some users may see sync delays in OneDrive for Business',
    'Advisory', 'Files changed on the web may take several hours to appear in the sync client.'),
  t('Exchange Online', 'incident', 'warning', true, 0.15, false, 'Users may be unable to open shared mailboxes in Outlook on the web',
    'Incident', 'Opening a shared mailbox shows an empty folder pane.'),
  t('Microsoft Teams', 'incident', 'information', true, 0.1, false, 'Users may not receive chat notifications in Microsoft Teams',
    'Advisory', 'Desktop & mobile notifications for 1:1 chats may not appear.'),
  t('SharePoint Online', 'incident', 'warning', false, 0.04, false, 'Search results in SharePoint Online may be incomplete',
    'Incident', 'Recently uploaded documents may be missing from search results.'),
  t('Microsoft 365 suite', 'incident', 'critical', false, 0.02, false, 'Users may be unable to sign in to multiple Microsoft 365 services',
    'Incident', 'Users may receive authentication prompts repeatedly or fail to sign in.'),
  t('Microsoft Teams', 'message_center', 'normal', false, 0.5, true, 'Microsoft Teams: new meeting recap experience',
    'Plan For Change', 'Meeting recaps will show AI-generated notes & tasks for licensed users.', 'Action'),
  t('Exchange Online', 'message_center', 'information', false, 0.3, false, 'Exchange Online: retirement of Basic authentication for SMTP AUTH',
    'Plan For Change', 'Clients using Basic authentication for SMTP AUTH will be unable to send mail.', 'Action'),
  t('SharePoint Online', 'message_center', 'normal', false, 0.2, false, 'SharePoint Online: updated sharing dialog',
    'Stay Informed', 'The sharing dialog gets a simplified layout; no admin action is needed.'),
];

const PRIVATE: readonly Template[] = [
  t('Exchange Online', 'incident', 'warning', false, 0, false, 'Some users in your organization cannot access their mailbox',
    'Incident', 'Affected users see "Cannot connect to server" in Outlook.'),
  t('Microsoft Teams', 'incident', 'information', true, 0, false, 'Calls to external numbers may fail for some users',
    'Advisory', 'PSTN calls from Teams Phone may drop after a few seconds.'),
  t('OneDrive for Business', 'incident', 'warning', true, 0, false, 'Users may be unable to restore files from the recycle bin',
    'Incident', 'Restoring deleted files returns an access-denied error.'),
];

function t(
  workload: string, kind: Template['kind'], severity: Severity, resolved: boolean, prevalence: number, contoso: boolean,
  impactedArea: string, category: string, impact: string, actionType = '',
): Template {
  return { workload, kind, severity, resolved, prevalence, contoso, impactedArea, category, actionType, impact };
}

const PROGRESS = [
  "We're reviewing service telemetry to understand the cause of the impact.",
  "We've identified a recent configuration change that we believe is contributing to the impact, and we're reverting it.",
  "We're deploying a fix and monitoring as it saturates the affected environment.",
  'The fix has reached approximately 80 percent of the affected environment and users are reporting relief.',
];

export interface SharedIncident {
  incident: WireIncident;
  prevalence: number;
  contoso: boolean;
}

/** Builds the Microsoft-wide incidents (ids 100000–699999); private ones use 700000–899999, the scenario 900000+. */
export function buildSharedIncidents(seed: number, customerCount: number, referenceMs: number): SharedIncident[] {
  const rng = streamFor(seed, 0x1c1d);
  const used = new Set<string>();
  return SHARED.map((template) => {
    let id: string;
    do id = prefixOf(template) + String(int(rng, 100000, 699999));
    while (used.has(id));
    used.add(id);
    const impacted = Math.max(1, Math.round(template.prevalence * customerCount));
    return { incident: makeIncident(rng, template, id, impacted, referenceMs), prevalence: template.prevalence, contoso: template.contoso };
  });
}

/** The incident list of one customer: references into the shared pool plus, rarely, one of its own. */
export function incidentsForCustomer(
  shared: readonly SharedIncident[], seed: number, index: number, isContoso: boolean, referenceMs: number,
): WireIncident[] {
  const rng = streamFor(seed, index, 0x1c1e);
  const list: WireIncident[] = [];
  for (const entry of shared) {
    if ((isContoso && entry.contoso) || chance(rng, entry.prevalence)) list.push(entry.incident);
  }
  if (!isContoso && chance(rng, 0.06)) {
    const template = pick(rng, PRIVATE);
    const id = prefixOf(template) + String(700000 + ((index * 7919) % 200000));
    list.push(makeIncident(rng, template, id, 1, referenceMs));
  }
  return list;
}

function prefixOf(template: Template): string {
  return template.kind === 'message_center' ? 'MC' : (WORKLOAD_PREFIX[template.workload] ?? 'MO');
}

function makeIncident(rng: Rng, template: Template, id: string, impactedCustomers: number, referenceMs: number): WireIncident {
  const isMessageCenter = template.kind === 'message_center';
  const minutes = int(rng, 0, 59) * 60_000;
  const start = minutes + (isMessageCenter
    ? referenceMs - int(rng, 5, 20) * DAY
    : template.resolved
      ? referenceMs - int(rng, 2, 10) * DAY - int(rng, 0, 23) * HOUR
      : referenceMs - int(rng, 1, 20) * HOUR);
  const end = template.resolved ? start + int(rng, 3, 30) * HOUR + int(rng, 0, 59) * 60_000 : null;
  const html = chance(rng, 0.4);
  const count = isMessageCenter ? int(rng, 1, 2) : template.resolved ? int(rng, 2, 5) : int(rng, 1, 4);
  const span = (end ?? referenceMs) - start;
  const messages: WireIncidentMessage[] = [];
  for (let k = 0; k < count; k++) {
    const published = start + Math.floor((span * k) / Math.max(1, count - (end === null ? 0 : 1)));
    const final = end !== null && k === count - 1;
    messages.push({
      publishedTime: iso(final ? end : published),
      messageText: isMessageCenter
        ? messageCenterText(template, k, html)
        : incidentText(template.impactedArea, template.impact, final ? null : (PROGRESS[k] ?? PROGRESS[3]!), html),
    });
  }
  return {
    id,
    actionType: template.actionType,
    affectedWorkloadNames: [template.workload],
    category: template.category,
    endTime: end === null ? NOT_ENDED : iso(end),
    impactedArea: template.impactedArea,
    impactedCustomers,
    messageType: template.kind,
    messages,
    requiredBy: template.actionType === 'Action' ? iso(start + 60 * DAY) : NOT_ENDED,
    resolved: template.resolved,
    severity: template.severity,
    startTime: iso(start),
    status: template.resolved ? 'normal' : template.severity,
    workload: template.workload,
  };
}

/**
 * The service's update text: a plain multi-line form and an HTML form (with `<p>`, `<br>` and
 * entities), because both reach partners and the bot must render either as plain text.
 * `status: null` writes the final "resolved" message.
 */
export function incidentText(title: string, impact: string, status: string | null, html: boolean): string {
  const lines = [
    `Title: ${title}`,
    `User Impact: ${impact}`,
    status === null
      ? "Final status: We've confirmed after an extended period of monitoring that the fix has resolved the impact."
      : `Current status: ${status}`,
    status === null ? 'Root cause: A recent configuration change caused a subset of infrastructure to process requests inefficiently.' : 'Next update by: within 2 hours',
  ];
  return html ? toHtml(lines) : lines.join('\n');
}

function messageCenterText(template: Template, k: number, html: boolean): string {
  const lines = [
    k === 0 ? template.impactedArea : `Updated: ${template.impactedArea} (rollout timeline adjusted)`,
    `How this will affect your organization: ${template.impact}`,
    template.actionType === 'Action'
      ? 'What you need to do to prepare: Review the change & update your user training and documentation.'
      : 'What you need to do to prepare: No action is required.',
  ];
  return html ? toHtml(lines) : lines.join('\n');
}

function toHtml(lines: string[]): string {
  const escaped = lines.map((line) => line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  return `<p>${escaped.slice(0, 2).join('<br>')}</p><p>${escaped.slice(2).join('<br>')}</p>`;
}

/** Seeds a fresh id for a scripted incident without colliding with generated ones. */
export function scenarioIncidentId(seed: number, round: number, workload = 'Exchange Online'): string {
  return (WORKLOAD_PREFIX[workload] ?? 'MO') + String(900000 + ((mix(seed, 0x5ce) + round * 7) % 99999));
}
