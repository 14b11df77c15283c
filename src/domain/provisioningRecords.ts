// The records the provisioning source (src/sources/provisioning/) keeps in the store, as plain types: the
// store holds them and knows no source.

export interface OrderSnapshot {
  fetchedAt: string;
  /** line item number → normalised state of the line and its quantities, e.g. "fulfilled|5 fulfilled". */
  lines: Record<string, string>;
}

export interface LineChange {
  lineItemNumber: number;
  from: string | null;
  to: string;
}
