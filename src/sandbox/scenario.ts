// A scripted story over the dataset for demos and end-to-end tests: one Exchange Online incident
// opens critical, gets updates, is downgraded and resolved over four steps, while one of Contoso's
// orders provisions line by line and Contoso's subscriptions change (one is suspended and comes back, one
// nears its end without auto-renew, one changes quantity), and in the first round the partner's GDAP
// access (simGdap.ts): Contoso's only relationship crosses its 7-day mark, Northwind's loses its last group,
// a Tailspin approval is found stuck for 9 days, Fabrikam's relationship is terminated and a new one
// approved. Each step is one poll's worth of change.

import type { SimDataset } from './dataset.js';
import { CONTOSO_ORDERS, lineStatus } from './simCommerce.js';
import { incidentText, scenarioIncidentId } from './simIncidents.js';
import { base64urlId, guid, iso, NOT_ENDED, streamFor } from './simRandom.js';
import type { SimCustomer, SimOrder, WireIncident, WireSubscription } from './simWire.js';
import { link } from './simWire.js';
import { graphTime, SCENARIO_GDAP, type SimGdap } from './simGdap.js';

export interface ScenarioClock {
  now(): Date;
}

export interface ScenarioStepResult {
  /** 1 for the first incident, 2 after the script starts over, ... */
  round: number;
  /** 1..4 within the round. */
  step: number;
  /** One short sentence saying what changed. */
  description: string;
  incidentId: string;
  /** Customers whose incident list changed. */
  customerIds: string[];
  /** The order whose provisioning moved, with the customer it belongs to. */
  order: { customerId: string; orderId: string; status: string } | null;
  /** Subscriptions this step changed, each with what happened to it in words. */
  subscriptions: { customerId: string; subscriptionId: string; description: string }[];
  /** GDAP changes of this step, in words (none after the first round). */
  access: string[];
}

export interface Scenario {
  step(): ScenarioStepResult;
  /** Steps taken so far, oldest first. */
  readonly history: readonly ScenarioStepResult[];
}

export const SCENARIO_STEPS = 4;
const TITLE = 'Users may be unable to send or receive email in Exchange Online';
const IMPACT = 'Users may see "450 4.7.0 temporary server error" bounces & messages stuck in the outbox.';
const AFFECTED = ['Contoso', 'Fabrikam', 'Northwind Traders', 'Tailspin Toys'];
const DAY_MS = 86_400_000;
/** The subscriptions the script changes: a customer's subscription of an offer (from their fixed orders). */
export const SCENARIO_SUBSCRIPTIONS = {
  suspends: { customer: 'Fabrikam', offer: 'Microsoft 365 Business Premium' },
  ends: { customer: 'Contoso', offer: 'Microsoft 365 E3' },
  quantity: { customer: 'Contoso', offer: 'Microsoft Intune Plan 1' },
} as const;

export function createScenario(data: SimDataset, clock: ScenarioClock = { now: () => new Date() }, gdap?: SimGdap): Scenario {
  const history: ScenarioStepResult[] = [];
  let round = 0;
  let position = SCENARIO_STEPS;
  let incident: WireIncident | null = null;
  let targets: SimCustomer[] = [];
  let order: { customer: SimCustomer; sim: SimOrder } | null = null;

  function chooseTargets(): SimCustomer[] {
    const named = AFFECTED.map((name) => data.customerNamed(name)).filter((c): c is SimCustomer => c !== undefined);
    if (named.length > 0) return named;
    return data.customers.filter((c) => !c.noRelationship).slice(0, 4);
  }

  function openRound(now: number): string {
    round += 1;
    position = 0;
    targets = chooseTargets();
    if (targets.length === 0) throw new Error('the scenario needs at least one customer');
    const opened: WireIncident = {
      id: scenarioIncidentId(data.seed, round),
      actionType: '',
      affectedWorkloadNames: ['Exchange Online'],
      category: 'Incident',
      endTime: NOT_ENDED,
      impactedArea: TITLE,
      impactedCustomers: targets.length,
      messageType: 'incident',
      messages: [message(now, "We're investigating reports of mail flow failures and reviewing service telemetry.", false)],
      requiredBy: NOT_ENDED,
      resolved: false,
      severity: 'critical',
      startTime: iso(now),
      status: 'critical',
      workload: 'Exchange Online',
    };
    incident = opened;
    for (const customer of targets) data.incidentsOf(customer.id).push(opened);
    order = pendingOrder(targets[0]!, now);
    return `opened critical incident ${opened.id} (Exchange Online) for ${names(targets)}; order ${order.sim.order.id} of ${order.customer.companyName} awaits provisioning`;
  }

  /** Round 1 uses Contoso's well-known pending order; later rounds place a fresh one. */
  function pendingOrder(customer: SimCustomer, now: number): { customer: SimCustomer; sim: SimOrder } {
    const known = data.findOrder(customer.id, CONTOSO_ORDERS.pending);
    if (known?.provisioning?.some((l) => l.status.toLowerCase() === 'prefulfillmentpending')) return { customer, sim: known };
    return { customer, sim: placeOrder(data, customer, round, now) };
  }

  function provisionNext(final: boolean): string | null {
    if (!order?.sim.provisioning) return null;
    const lines = order.sim.provisioning.filter((l) => l.status.toLowerCase() !== 'fulfilled');
    const moving = final ? lines : lines.slice(0, 1);
    for (const line of moving) {
      const total = line.quantityProvisioningInformation.reduce((n, q) => n + q.quantity, 0);
      line.quantityProvisioningInformation = [{ quantity: total, status: 'fulfilled' }];
      line.status = lineStatus(line.quantityProvisioningInformation);
      const offerId = order.sim.order.lineItems[line.lineItemNumber]?.offerId;
      for (const s of data.subscriptionsOf(order.customer.id)) {
        if (s.orderId === order.sim.order.id && s.offerId === offerId) s.status = 'active';
      }
    }
    const done = order.sim.provisioning.every((l) => l.status.toLowerCase() === 'fulfilled');
    if (done) order.sim.order.status = 'completed';
    if (moving.length === 0) return null;
    return done
      ? `order ${order.sim.order.id} is fully fulfilled`
      : `order ${order.sim.order.id} line ${moving.map((l) => l.lineItemNumber).join(', ')} fulfilled`;
  }

  /**
   * Subscriptions through a round: one is suspended (step 1) and active again (step 4); one loses auto-renew
   * and ends in 20 days (step 2), then in 5 (step 3), until auto-renew is on again (step 4); one changes
   * quantity (step 2).
   */
  function changeSubscriptions(at: number, now: number): ScenarioStepResult['subscriptions'] {
    const said: ScenarioStepResult['subscriptions'] = [];
    const find = (role: keyof typeof SCENARIO_SUBSCRIPTIONS) => {
      const { customer: customerName, offer } = SCENARIO_SUBSCRIPTIONS[role];
      const customer = data.customerNamed(customerName);
      const subscription = customer ? data.subscriptionsOf(customer.id).find((s) => s.offerName === offer && s.status !== 'deleted') : undefined;
      return customer && subscription ? { customer, subscription } : null;
    };
    const say = (found: { customer: SimCustomer; subscription: WireSubscription }, what: string) =>
      said.push({ customerId: found.customer.id, subscriptionId: found.subscription.id, description: `${found.subscription.offerName} of ${found.customer.companyName} ${what}` });
    const suspends = find('suspends');
    const ends = find('ends');
    const quantity = find('quantity');
    const endsIn = (days: number) => {
      if (!ends) return;
      ends.subscription.autoRenewEnabled = false;
      ends.subscription.commitmentEndDate = iso(now + days * DAY_MS);
      say(ends, `ends in ${days} days without auto-renew`);
    };
    if (at === 0 && suspends) {
      suspends.subscription.status = 'suspended';
      suspends.subscription.suspensionReasons = ['CreditCheck'];
      say(suspends, 'is suspended');
    } else if (at === 1) {
      endsIn(20);
      if (quantity) {
        const from = quantity.subscription.quantity;
        quantity.subscription.quantity = from === 100 ? 110 : 100;
        say(quantity, `went from ${from} to ${quantity.subscription.quantity} licenses`);
      }
    } else if (at === 2) {
      endsIn(5);
    } else if (at === 3) {
      if (suspends) {
        suspends.subscription.status = 'active';
        delete suspends.subscription.suspensionReasons;
        say(suspends, 'is active again');
      }
      if (ends) {
        ends.subscription.autoRenewEnabled = true;
        say(ends, 'renews automatically again');
      }
    }
    return said;
  }

  /**
   * GDAP through the first round: step 1 leaves it alone (the first listing, the baseline, is usually taken
   * then); step 2 crosses Contoso's 7-day mark, leaves Northwind's relationship without a group and reveals a
   * Tailspin approval pending for 9 days; step 3 terminates Fabrikam's relationship; step 4 activates the new
   * one Fabrikam approved.
   */
  function changeAccess(at: number, now: number): string[] {
    if (!gdap || round !== 1) return [];
    const said: string[] = [];
    if (at === 1) {
      const [contoso] = gdap.of(SCENARIO_GDAP.ending);
      if (contoso) {
        // A day passes in a step: the end is now 7 calendar days away.
        contoso.endDateTime = graphTime(now + 7 * DAY_MS);
        said.push(`${SCENARIO_GDAP.ending}'s only GDAP relationship now ends in 7 days`);
      }
      const [northwind] = gdap.of(SCENARIO_GDAP.unused);
      if (northwind) {
        gdap.removeAssignments(northwind);
        said.push(`${SCENARIO_GDAP.unused}'s GDAP relationship lost its last security group`);
      }
      if (gdap.add(SCENARIO_GDAP.stuck, { displayName: `${SCENARIO_GDAP.stuck} helpdesk`, status: 'approvalPending', createdDateTime: graphTime(now - 9 * DAY_MS), lastModifiedDateTime: graphTime(now - 9 * DAY_MS) })) {
        said.push(`a ${SCENARIO_GDAP.stuck} GDAP relationship has waited 9 days for approval`);
      }
    } else if (at === 2) {
      const [fabrikam] = gdap.of(SCENARIO_GDAP.terminated);
      if (fabrikam) {
        fabrikam.status = 'terminated';
        fabrikam.endDateTime = graphTime(now);
        gdap.touch(fabrikam);
        said.push(`${SCENARIO_GDAP.terminated}'s GDAP relationship was terminated`);
      }
      gdap.add(SCENARIO_GDAP.terminated, { displayName: `${SCENARIO_GDAP.terminated} renewed`, status: 'approved' });
    } else if (at === 3) {
      const renewed = gdap.of(SCENARIO_GDAP.terminated).find((r) => r.status === 'approved');
      if (renewed) {
        renewed.status = 'active';
        renewed.activatedDateTime = graphTime(now);
        renewed.endDateTime = graphTime(now + 730 * DAY_MS);
        gdap.touch(renewed);
        said.push(`${SCENARIO_GDAP.terminated}'s new GDAP relationship is active`);
      }
    }
    return said;
  }

  function step(): ScenarioStepResult {
    const now = clock.now().getTime();
    const changes: string[] = [];
    const at = position >= SCENARIO_STEPS || !incident ? 0 : position;
    if (position >= SCENARIO_STEPS || !incident) {
      changes.push(openRound(now));
    } else {
      const current: WireIncident = incident;
      if (position === 1) {
        current.messages.push(message(now, "We've identified a configuration change in the mail routing infrastructure and are reverting it.", true));
        changes.push(`added an update to ${current.id}`);
      } else if (position === 2) {
        current.messages.push(message(now, 'The fix is deploying; mail flow is recovering and queued messages are being delivered.', false));
        current.severity = 'warning';
        current.status = 'warning';
        changes.push(`added an update to ${current.id} and lowered it to warning`);
      } else {
        current.messages.push({ publishedTime: iso(now), messageText: incidentText(TITLE, IMPACT, null, false) });
        current.resolved = true;
        current.endTime = iso(now);
        current.status = 'normal';
        changes.push(`resolved ${current.id}`);
      }
      const moved = provisionNext(position === SCENARIO_STEPS - 1);
      if (moved) changes.push(moved);
    }
    const subscriptions = changeSubscriptions(at, now);
    changes.push(...subscriptions.map((change) => change.description));
    const access = changeAccess(at, now);
    changes.push(...access);
    position += 1;
    const result: ScenarioStepResult = {
      round,
      step: position,
      description: `Step ${position}/${SCENARIO_STEPS}: ${changes.join('; ')}.`,
      incidentId: incident!.id,
      customerIds: targets.map((c) => c.id),
      order: order ? { customerId: order.customer.id, orderId: order.sim.order.id, status: order.sim.order.status } : null,
      subscriptions,
      access,
    };
    history.push(result);
    return result;
  }

  function message(now: number, status: string, html: boolean) {
    return { publishedTime: iso(now), messageText: incidentText(TITLE, IMPACT, status, html) };
  }

  return { step, history };
}

function names(customers: SimCustomer[]): string {
  const all = customers.map((c) => c.companyName);
  return all.length <= 1 ? (all[0] ?? '') : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

/** A new pending order (two lines, both PrefulfillmentPending) plus its pending subscriptions. */
function placeOrder(data: SimDataset, customer: SimCustomer, round: number, now: number): SimOrder {
  const rng = streamFor(data.seed, round, 0x0de7);
  const id = base64urlId(rng);
  const self = `/customers/${customer.id}/orders/${encodeURIComponent(id)}`;
  const lines = [
    { offerId: 'CFQ7TTC0LFLX:0001', friendlyName: 'Microsoft 365 E3', quantity: 15 },
    { offerId: 'CFQ7TTC0J1FV:0001', friendlyName: 'Microsoft Teams Phone Standard', quantity: 15 },
  ];
  const sim: SimOrder = {
    order: {
      id, referenceCustomerId: customer.id, billingCycle: 'monthly',
      lineItems: lines.map((l, k) => ({ lineItemNumber: k, ...l })),
      creationDate: iso(now), status: 'pending',
      links: { self: link(self), provisioningStatus: link(`${self}/provisioningstatus`) },
      attributes: { objectType: 'Order' },
    },
    provisioning: lines.map((l, k) => ({
      orderLineItemId: k, lineItemNumber: k, status: 'PrefulfillmentPending',
      quantityProvisioningInformation: [{ quantity: l.quantity, status: 'PrefulfillmentPending' }],
    })),
  };
  data.ordersOf(customer.id).push(sim);
  const subscriptions = data.subscriptionsOf(customer.id);
  for (const l of lines) subscriptions.push(pendingSubscription(guid(rng), customer.id, id, l, now));
  return sim;
}

function pendingSubscription(
  id: string, customerId: string, orderId: string, l: { offerId: string; friendlyName: string; quantity: number }, now: number,
): WireSubscription {
  return {
    id, offerId: l.offerId, offerName: l.friendlyName, friendlyName: l.friendlyName,
    productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' }, quantity: l.quantity, unitType: 'Licenses',
    creationDate: iso(now), commitmentEndDate: iso(now + 30 * 86_400_000), status: 'pending', autoRenewEnabled: true,
    isTrial: false, billingType: 'license', billingCycle: 'monthly', termDuration: 'P1M', contractType: 'subscription',
    publisherName: 'Microsoft Corporation', orderId,
    links: { self: link(`/customers/${customerId}/subscriptions/${id}`), offer: link(`/offers/${l.offerId}`) },
    attributes: { objectType: 'Subscription' },
  };
}
