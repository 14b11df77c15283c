// The buttons of subscription alerts and of watching subscriptions, and what each sends back (checked
// again by src/bot/actionSchemas.ts on every click).
import { VERBS } from '../../cardData/buttons.js';
import type { CardButton } from '../../cardData/format.js';

/** The snooze the alert card offers. */
export const SUBSCRIPTION_MUTE_DAYS = 7;

/** Where a watch button was clicked: the card it answers with. */
export const SUBSCRIPTION_WATCH_VIEWS = ['overview', 'subscriptions'] as const;
export type SubscriptionWatchView = (typeof SUBSCRIPTION_WATCH_VIEWS)[number];

/** One alert (a subscription's problem episode) of the clicked card's conversation. */
export interface SubscriptionAlertRef {
  customerId: string;
  subscriptionId: string;
  episode: number;
}

const ref = (alert: SubscriptionAlertRef) => ({ customerId: alert.customerId, subscriptionId: alert.subscriptionId, episode: alert.episode });

export const subscriptionButtons = {
  watch: (customerId: string, view: SubscriptionWatchView): CardButton => ({
    title: 'Watch subscriptions here',
    verb: VERBS.watchSubscriptions,
    data: { customerId, view },
  }),
  unwatch: (customerId: string, view: SubscriptionWatchView): CardButton => ({
    title: 'Stop watching subscriptions',
    verb: VERBS.unwatchSubscriptions,
    data: { customerId, view },
  }),
  acknowledge: (alert: SubscriptionAlertRef): CardButton => ({ title: 'Acknowledge', verb: VERBS.subscriptionAcknowledge, data: ref(alert) }),
  mute: (alert: SubscriptionAlertRef): CardButton => ({
    title: `Mute ${SUBSCRIPTION_MUTE_DAYS} days`,
    verb: VERBS.subscriptionMute,
    data: { ...ref(alert), days: SUBSCRIPTION_MUTE_DAYS },
  }),
  unmute: (alert: SubscriptionAlertRef): CardButton => ({ title: 'Unmute', verb: VERBS.subscriptionUnmute, data: ref(alert) }),
  refresh: (alert: SubscriptionAlertRef): CardButton => ({ title: 'Refresh', verb: VERBS.subscriptionRefresh, data: ref(alert) }),
};
