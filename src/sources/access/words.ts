// GDAP in words: statuses, role names (the well-known built-in roles by id; any other by its id), and when
// a customer's access ends, read from its relationships. Pure.
import { dayNumber } from '../subscriptions/dates.js';
import { PENDING, type RelationshipPrint } from './model.js';
// When access ends is known to the store too (the snapshots' facts): the rules live in the domain.
export { accessEnd, accessLost, isCovering, isEnded } from '../../domain/accessEnd.js';

/**
 * Microsoft Entra built-in roles a GDAP relationship commonly grants, by role definition id: the template ids
 * of Microsoft's "Microsoft Entra built-in roles" reference (immutable, the same in every tenant).
 */
export const ROLE_NAMES: Readonly<Record<string, string>> = {
  '62e90394-69f5-4237-9190-012177145e10': 'Global Administrator',
  'f2ef992c-3afb-46b9-b7cf-a126ee74c451': 'Global Reader',
  '194ae4cb-b126-40b2-bd5b-6091b380977d': 'Security Administrator',
  '5d6b6bb7-de71-4623-b4af-96380a352509': 'Security Reader',
  '729827e3-9c14-49f7-bb1b-9608f156bbb8': 'Helpdesk Administrator',
  'fe930be7-5e62-47db-91af-98c3a49a38b1': 'User Administrator',
  '966707d0-3269-4727-9be2-8c3a10f19b9d': 'Password Administrator',
  'c4e39bd9-1100-46d3-8c65-fb160da0071f': 'Authentication Administrator',
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13': 'Privileged Authentication Administrator',
  'e8611ab8-c189-46e8-94e1-60213ab1f814': 'Privileged Role Administrator',
  '29232cdf-9323-42fd-ade2-1d097af3e4de': 'Exchange Administrator',
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c': 'SharePoint Administrator',
  '69091246-20e8-4a56-aa4d-066075b2a7a8': 'Teams Administrator',
  '3a2c62db-5318-420d-8d74-23affee5d9d5': 'Intune Administrator',
  '7698a772-787b-4ac8-901f-60d6b08affd2': 'Cloud Device Administrator',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3': 'Application Administrator',
  '158c047a-c907-4556-b7ef-446551a6b5f7': 'Cloud Application Administrator',
  'b0f54661-2d74-4c50-afa3-1ec803f12efe': 'Billing Administrator',
  'f023fd81-a637-4b56-95fd-791ac0226033': 'Service Support Administrator',
  '4a5d8f65-41da-4de4-8968-e035b65339cf': 'Reports Reader',
  '17315797-102d-40b4-93e0-432062caca18': 'Compliance Administrator',
  '88d8e3e3-8f55-4a1e-953a-9b9898b8876b': 'Directory Readers',
  '9360feb5-f418-4baa-8175-e2a00bac4301': 'Directory Writers',
  '11648597-926c-4cf3-9c36-bcebb0ba8dcc': 'Power Platform Administrator',
  '44367163-eba1-44c3-98af-f5787879f96a': 'Dynamics 365 Administrator',
  '644ef478-e28f-4e28-b9dc-3fdde9aa0b1f': 'Printer Administrator',
};

/**
 * The roles Partner Center's reads of a customer need through GDAP (service health and subscriptions): any
 * one of them is enough — each holds microsoft.office365.serviceHealth/allEntities/allTasks in Microsoft's
 * built-in roles reference. Named in the notice when a 403 has no expired relationship to explain it.
 */
export const PARTNER_CENTER_ROLES = ['Service Support Administrator', 'Global Reader', 'Helpdesk Administrator'];

export function roleName(roleDefinitionId: string): string {
  return ROLE_NAMES[roleDefinitionId.toLowerCase()] ?? roleDefinitionId;
}

const STATUS_WORDS: Readonly<Record<string, string>> = {
  activating: 'Activating',
  active: 'Active',
  approvalPending: 'Waiting for the customer’s approval',
  approved: 'Approved, activating',
  created: 'Created, not sent for approval',
  expired: 'Expired',
  expiring: 'Expiring',
  terminated: 'Terminated',
  terminating: 'Terminating',
  terminationRequested: 'Termination requested',
};

/** A status in words; an unknown one is shown as Graph wrote it. */
export function statusWords(status: string): string {
  return STATUS_WORDS[status] ?? (status || 'Unknown');
}

export const isPending = (print: Pick<RelationshipPrint, 'status'>): boolean => PENDING.has(print.status);

/** Calendar days from one UTC day to another. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}
