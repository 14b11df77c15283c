// The provisioning diff of one watched order: which line items changed state since the last successful
// fetch, and whether the order has now reached a final state everywhere.
import { isFinalState, normaliseProvisioningState, provisioningVerdict, type ProvisioningVerdict } from '../../domain/provisioning.js';
import type { LineChange, OrderSnapshot } from '../../domain/provisioningRecords.js';
import type { OrderProvisioning } from '../../domain/types.js';

export interface ProvisioningEvent {
  id: string;
  kind: 'changed' | 'completed';
  customerId: string;
  orderId: string;
  provisioning: OrderProvisioning;
  changes: LineChange[];
  verdict: ProvisioningVerdict;
}

/** One line's change in words, e.g. "Line 2: pending → fulfilled" (a card's reply, an alert event). */
export function lineChangeText(change: LineChange): string {
  return `Line ${change.lineItemNumber}: ${change.from ?? 'new'} → ${change.to}`;
}

export function orderSnapshot(provisioning: OrderProvisioning, fetchedAt: string): OrderSnapshot {
  return {
    fetchedAt,
    lines: Object.fromEntries(
      provisioning.lines.map((line) => [
        String(line.lineItemNumber),
        [normaliseProvisioningState(line.status), ...line.quantities.map((q) => `${q.quantity} ${normaliseProvisioningState(q.status)}`)].join('|'),
      ]),
    ),
  };
}

/** True when every line item (and every quantity of it) is in a state Partner Center will not leave. */
export function isOrderFinal(provisioning: OrderProvisioning): boolean {
  const verdict = provisioningVerdict(provisioning.lines);
  return verdict === 'fulfilled' || verdict === 'unfulfilled';
}

export function diffProvisioning(
  previous: OrderSnapshot | undefined,
  current: OrderProvisioning,
  fetchedAt: string,
): { event: ProvisioningEvent | null; snapshot: OrderSnapshot } {
  const snapshot = orderSnapshot(current, fetchedAt);
  if (!previous) return { event: null, snapshot };
  const changes: LineChange[] = [];
  for (const line of current.lines) {
    const key = String(line.lineItemNumber);
    const before = previous.lines[key];
    const after = snapshot.lines[key] ?? '';
    if (before !== after) {
      changes.push({ lineItemNumber: line.lineItemNumber, from: before?.split('|')[0] ?? null, to: normaliseProvisioningState(line.status) });
    }
  }
  if (changes.length === 0) return { event: null, snapshot };
  const verdict = provisioningVerdict(current.lines);
  const kind = current.lines.every((line) => isFinalState(line.status)) && isOrderFinal(current) ? 'completed' : 'changed';
  const id = [current.customerId, current.orderId, kind, ...Object.entries(snapshot.lines).map(([k, v]) => `${k}=${v}`)].join('|');
  return { event: { id, kind, customerId: current.customerId, orderId: current.orderId, provisioning: current, changes, verdict }, snapshot };
}
