// Ticket numbers a PSA's create does not answer (Autotask answers only the new id): read afterwards, many in
// one request, so an incident across 500 customers costs 500 creates and one read, not 1,000 requests. Until
// then the ticket is known by its id; the card shows the number from its next render after the read. A read
// that fails is tried again at the next ticket; tickets left unnumbered by a restart are picked up at start.
import type { StateStore } from '../store/stateStore.js';
import type { TicketConnector } from './connector.js';

/** Wait this long after a create for more creates before reading their numbers. */
const GATHER_MS = 2_000;

export class TicketNumbers {
  private readonly pending = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private swept = false;

  constructor(
    private readonly connector: TicketConnector,
    private readonly store: StateStore,
  ) {}

  /** A ticket of `episodeKey` whose number is not known yet. */
  want(episodeKey: string, ticketId: number): void {
    if (!this.connector.numbers) return;
    this.pending.set(ticketId, episodeKey);
    this.schedule();
  }

  /** Once per process: tickets stored without a number (the read was lost to a restart). */
  sweepStored(): void {
    if (this.swept || !this.connector.numbers) return;
    this.swept = true;
    for (const record of this.store.ports.tickets.all()) {
      if (record.ticketId !== null && record.number === null && record.state !== 'creating') this.pending.set(record.ticketId, record.episodeKey);
    }
    if (this.pending.size > 0) this.schedule();
  }

  /** Reads what is pending now (tests, and a clean stop). */
  async settle(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.read();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.read();
    }, GATHER_MS);
    this.timer.unref();
  }

  private read(): Promise<void> {
    if (this.pending.size === 0 || !this.connector.numbers) return Promise.resolve();
    const batch = new Map(this.pending);
    this.pending.clear();
    this.running = (async () => {
      try {
        const numbers = await this.connector.numbers!([...batch.keys()]);
        await this.store.transaction((tx) => {
          for (const [ticketId, number] of numbers) {
            const record = tx.tickets.get(batch.get(ticketId)!);
            if (record?.ticketId === ticketId) tx.tickets.put({ ...record, number });
          }
        });
      } catch {
        // Kept for the next ticket's read; the ticket works without its number meanwhile.
        for (const [ticketId, key] of batch) if (!this.pending.has(ticketId)) this.pending.set(ticketId, key);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
