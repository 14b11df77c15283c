// A customer's PSA company: set by hand (`ticket map`, kept in the store), else matched automatically
// against the PSA's companies (companyMatch.ts), else TICKET_DEFAULT_COMPANY, else none. The companies are
// fetched once and kept for COMPANY_TTL_MS: a PSA company added since is found within that time.
import type { AlertEventCustomer } from '../domain/alertEvent.js';
import type { StateStore } from '../store/stateStore.js';
import type { PsaCompany, TicketConnector } from './connector.js';
import { matchCompany } from './companyMatch.js';

const COMPANY_TTL_MS = 10 * 60_000;

export interface ResolvedCompany {
  companyId: number;
  companyName: string;
  /** hand: `ticket map`; match: by domain or name; default: TICKET_DEFAULT_COMPANY (the ticket names the customer). */
  how: 'hand' | 'match' | 'default';
}

export class CompanyBook {
  private cached: { at: number; companies: Promise<PsaCompany[]> } | null = null;

  constructor(
    readonly connector: TicketConnector,
    private readonly store: StateStore,
    private readonly defaultCompanyId: number | null,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Every PSA company (cached); a failed fetch is not cached. The fetch is not tied to the caller's signal: a
   * large PSA's pages may outlast one delivery attempt, and the next attempt then waits for the same fetch.
   */
  all(signal?: AbortSignal): Promise<PsaCompany[]> {
    if (!this.cached || this.now() - this.cached.at > COMPANY_TTL_MS) {
      const companies = this.connector.companies();
      const entry = { at: this.now(), companies };
      this.cached = entry;
      companies.catch(() => {
        if (this.cached === entry) this.cached = null;
      });
    }
    return signal ? untilAborted(this.cached.companies, signal) : this.cached.companies;
  }

  /** The company set by hand or matched, without the default (what `tickets unmapped` asks). */
  async own(customer: AlertEventCustomer, signal?: AbortSignal): Promise<ResolvedCompany | null> {
    const link = await this.store.ports.ticketCompanies.get(customer.tenantId);
    if (link) return { companyId: link.companyId, companyName: link.companyName, how: 'hand' };
    const match = matchCompany({ name: customer.name, domains: customer.domain ? [customer.domain] : [] }, await this.all(signal));
    return match ? { companyId: match.id, companyName: match.name, how: 'match' } : null;
  }

  async resolve(customer: AlertEventCustomer, signal?: AbortSignal): Promise<ResolvedCompany | null> {
    const own = await this.own(customer, signal);
    if (own) return own;
    return this.defaultCompanyId === null ? null : { companyId: this.defaultCompanyId, companyName: `company ${this.defaultCompanyId}`, how: 'default' };
  }
}

/** `work`, or the signal's reason as soon as it is aborted (the work itself goes on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
