// Rules about order provisioning state. Partner Center spells states in varying case, and may add new ones:
// compare case-insensitively and treat an unknown state as "not finished yet" so a watch keeps watching.
import type { ProvisioningLine, ProvisioningState } from './types.js';

export type ProvisioningVerdict = 'fulfilled' | 'pending' | 'unfulfilled' | 'empty';

/** States after which Partner Center will not change a line item any more. */
const FINAL_STATES: ReadonlySet<string> = new Set(['fulfilled', 'unfulfilled', 'cancelled', 'canceled', 'failed']);

export function normaliseProvisioningState(status: ProvisioningState): string {
  return String(status).trim().toLowerCase();
}

export function isFinalState(status: ProvisioningState): boolean {
  return FINAL_STATES.has(normaliseProvisioningState(status));
}

export function isFulfilled(status: ProvisioningState): boolean {
  return normaliseProvisioningState(status) === 'fulfilled';
}

/**
 * The states a line reports: its own status plus the status of each non-empty quantity.
 * A line that says "fulfilled" while a quantity is still pending is not done yet.
 */
function lineStates(line: ProvisioningLine): ProvisioningState[] {
  return [line.status, ...line.quantities.filter((q) => q.quantity > 0).map((q) => q.status)];
}

/**
 * The order's overall state:
 * - `empty`: no line items;
 * - `pending`: some line item (or quantity) is not in a final state yet;
 * - `fulfilled`: every line item is fulfilled;
 * - `unfulfilled`: everything is final, but something ended other than fulfilled.
 */
export function provisioningVerdict(lines: readonly ProvisioningLine[]): ProvisioningVerdict {
  if (lines.length === 0) return 'empty';
  const states = lines.flatMap(lineStates);
  if (!states.every(isFinalState)) return 'pending';
  return states.every(isFulfilled) ? 'fulfilled' : 'unfulfilled';
}
