// One Microsoft incident reaches thousands of customers with the same details, and each customer's list
// repeats it. Read once and shared, the other copies die as soon as they are parsed: a round no longer holds
// one copy of every message text per customer until its batch is written, which V8 promoted to the old
// generation (npm run bench: pg_rss_mb_50k). The shared messages are frozen: no customer's copy can change
// another's.
import { parseIncidentDetail, type IncidentDetail } from './wire.js';

/** Incidents remembered; a partner sees a few dozen at a time, so this is never the bound that matters. */
const REMEMBERED = 1_000;

export class SharedIncidents {
  /** The last text read of each incident id and what it said: an update replaces the version before it. */
  private readonly byId = new Map<string, { text: string; detail: IncidentDetail }>();

  /** The incident `wire` describes: the one already read from the same text, or a new one. */
  readonly detailOf = (wire: unknown): IncidentDetail => {
    const id = (wire as { id?: unknown } | null)?.id;
    const text = JSON.stringify(wire);
    const known = typeof id === 'string' ? this.byId.get(id) : undefined;
    if (known?.text === text) return known.detail;
    const detail = parseIncidentDetail(wire);
    for (const message of detail.messages) Object.freeze(message);
    Object.freeze(detail.messages);
    // Dropping all at once keeps this cheap; the next round reads each incident once again.
    if (this.byId.size >= REMEMBERED) this.byId.clear();
    this.byId.set(detail.id, { text, detail });
    return detail;
  };
}
