// One Microsoft incident reaches thousands of customers with the same details, and each customer's list
// repeats it. Read once and shared, the other copies die as soon as they are parsed: a round no longer holds
// one copy of every message text per customer until its batch is written, which V8 promoted to the old
// generation (npm run bench: pg_rss_mb_50k). The shared messages are frozen: no customer's copy can change
// another's.
import { parseIncidentDetail, type IncidentDetail } from './wire.js';

/** Distinct incident texts remembered; a partner sees a few dozen at a time, so this is never the bound that matters. */
const REMEMBERED = 2_000;

export class SharedIncidents {
  private readonly byText = new Map<string, IncidentDetail>();

  /** The incident `wire` describes: the one already read from the same text, or a new one. */
  readonly detailOf = (wire: unknown): IncidentDetail => {
    const text = JSON.stringify(wire);
    const known = this.byText.get(text);
    if (known) return known;
    const detail = parseIncidentDetail(wire);
    for (const message of detail.messages) Object.freeze(message);
    Object.freeze(detail.messages);
    // Dropping all at once keeps this cheap; the next round reads each incident once again.
    if (this.byText.size >= REMEMBERED) this.byText.clear();
    this.byText.set(text, detail);
    return detail;
  };
}
