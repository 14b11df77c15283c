// The buttons of access cards and alerts, and what each sends back (checked again by
// src/bot/actionSchemas.ts on every click).
import { VERBS } from '../../cardData/buttons.js';
import type { CardButton } from '../../cardData/format.js';

/** The snooze the alert card offers. */
export const ACCESS_MUTE_DAYS = 7;

/** One customer's access episode in the clicked card's conversation. */
export interface AccessAlertRef {
  customerId: string;
  episode: number;
}

const ref = (alert: AccessAlertRef) => ({ customerId: alert.customerId, episode: alert.episode });

export const accessButtons = {
  /** The customer's relationships ("access for"). */
  access: (customerId: string, title = 'Access'): CardButton => ({ title, verb: VERBS.access, data: { customerId } }),
  expiring: (days: number, page: number, title = 'Access expiring'): CardButton => ({ title, verb: VERBS.accessExpiring, data: { days, page } }),
  acknowledge: (alert: AccessAlertRef): CardButton => ({ title: 'Acknowledge', verb: VERBS.accessAcknowledge, data: ref(alert) }),
  mute: (alert: AccessAlertRef): CardButton => ({ title: `Mute ${ACCESS_MUTE_DAYS} days`, verb: VERBS.accessMute, data: { ...ref(alert), days: ACCESS_MUTE_DAYS } }),
  unmute: (alert: AccessAlertRef): CardButton => ({ title: 'Unmute', verb: VERBS.accessUnmute, data: ref(alert) }),
};
