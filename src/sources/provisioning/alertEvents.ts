// Order provisioning changes as alert events (src/domain/alertEvent.ts), for the outbound destinations.
// Pure: the same change found twice makes the same event id, so it is never queued twice.
import type { AlertEvent, AlertEventCustomer, EpisodeChange } from '../../domain/alertEvent.js';
import { alertEventId } from '../../domain/alertEventId.js';
import { lineChangeText, type ProvisioningEvent } from './diff.js';

/** Each change of a watched order; a failed order (a line Partner Center will not fulfil) opens a problem. */
export function provisioningAlertEvent(event: ProvisioningEvent, customer: AlertEventCustomer, occurredAt: string): AlertEvent {
  const failed = event.verdict === 'unfulfilled';
  const what = failed ? 'failed' : event.kind === 'completed' ? 'completed' : 'changed';
  const change: EpisodeChange = failed ? 'opened' : event.kind === 'completed' ? 'resolved' : 'updated';
  const lines = event.changes.map(lineChangeText);
  return {
    id: alertEventId(`provisioning|${event.id}`),
    source: 'provisioning',
    type: `provisioning.${what}`,
    // A failed order leaves a customer without what was bought: someone must act.
    severity: failed ? 'critical' : 'information',
    customer,
    episode: { key: `provisioning|${event.orderId}|${customer.tenantId}`, change, previousKey: null },
    title: `Order ${event.orderId} · provisioning ${what}`,
    text: lines.join('\n'),
    occurredAt,
    links: [],
    data: { orderId: event.orderId, verdict: event.verdict, changes: event.changes, lines: event.provisioning.lines },
  };
}
