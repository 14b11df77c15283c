// Deliveries sent whose record could not be written yet: never sent again by this process, only recorded
// (the dedup stage writes the record on the next look). Their conversations are kept claimed meanwhile.
export class UnrecordedDeliveries {
  /** Delivery id → the posted card's id (null: an edit or a sentence). */
  private readonly posted = new Map<string, string | null>();
  /** Delivery id → its conversation. */
  private readonly targets = new Map<string, string>();

  add(deliveryId: string, targetKey: string, postedId: string | null): void {
    this.posted.set(deliveryId, postedId);
    this.targets.set(deliveryId, targetKey);
  }

  has(deliveryId: string): boolean {
    return this.posted.has(deliveryId);
  }

  postedId(deliveryId: string): string | null {
    return this.posted.get(deliveryId) ?? null;
  }

  forget(deliveryId: string): void {
    this.posted.delete(deliveryId);
    this.targets.delete(deliveryId);
  }

  ids(): string[] {
    return [...this.posted.keys()];
  }

  /** A delivery to this conversation was sent and its record is still to be written. */
  hasTarget(targetKey: string): boolean {
    for (const target of this.targets.values()) if (target === targetKey) return true;
    return false;
  }
}
