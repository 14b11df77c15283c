// View data of the card that lists a conversation's watches, each row with its own "Stop watching".
import { isCustomerId, isOrderId } from '../domain/ids.js';
import { truncate } from '../domain/plainText.js';
import type { Watch } from '../domain/watch.js';
import { buttons as button, type WatchRef } from './buttons.js';
import { asOf, command, count, formatUtcDate, identifier, name, renderActions, severityLabel, type CardButton } from './format.js';

/** What the card needs to know about one watch; a stored `Watch` fits as it is. */
export type WatchSummary = Pick<Watch, 'kind' | 'customerName' | 'orderId' | 'minSeverity' | 'workloads' | 'createdAt' | 'excluded'> & {
  /** Needed for a customer row's button; a row without a usable id shows the command to type instead. */
  customerId?: string | null;
};

export const MAX_WATCHES = 30;

export interface WatchesInput {
  watches: readonly WatchSummary[];
  now: Date;
  /** Replaces the card's own buttons (Refresh; or Customers and Help when nothing is watched). */
  buttons?: readonly CardButton[];
}

const KIND_LABELS = { customer: 'Customer', all: 'All customers', order: 'Order', subscriptions: 'Subscriptions', access: 'GDAP access' } as const;

function filters(watch: WatchSummary): string {
  if (watch.kind === 'order') return 'Provisioning changes of its line items';
  const severity =
    watch.minSeverity && watch.minSeverity !== 'normal' ? `${severityLabel(watch.minSeverity)} or more severe` : 'Every severity';
  if (watch.kind === 'subscriptions') return `${severity} · suspensions, expiry, quantity and trials`;
  if (watch.kind === 'access') return `${severity} · access ending, lost and back, stuck approvals, relationships nobody can use`;
  const workloads = watch.workloads.map((w) => name(w, 60)).filter((w) => w !== '');
  return truncate(`${severity} · ${workloads.length === 0 ? 'every workload' : workloads.join(', ')}`, 200);
}

function target(watch: WatchSummary): string {
  const customer = name(watch.customerName ?? '') || 'unknown customer';
  if (watch.kind === 'all' || ((watch.kind === 'subscriptions' || watch.kind === 'access') && !watch.customerName)) {
    const excluded = (watch.excluded ?? []).map((entry) => name(entry.name, 60)).filter(Boolean);
    return excluded.length > 0 ? truncate(`Every customer except ${excluded.join(', ')}`, 200) : 'Every customer';
  }
  if (watch.kind === 'order') return `${identifier(watch.orderId) || 'unknown order'} · ${customer}`;
  return customer;
}

/** What the row's "Stop watching" removes, when its ids can travel in a button. */
function watchRef(watch: WatchSummary): WatchRef | null {
  if (watch.kind === 'all') return { kind: 'all' };
  // "Stop watching" of a row removes incident watches; an access watch shows its command instead.
  if (watch.kind === 'access') return null;
  if (watch.kind === 'order') return watch.orderId && isOrderId(watch.orderId) ? { kind: 'order', orderId: watch.orderId } : null;
  return watch.customerId && isCustomerId(watch.customerId) ? { kind: 'customer', customerId: watch.customerId } : null;
}

/** The command that does what the row's button would, for a row that cannot have one. */
function unwatchCommand(watch: WatchSummary): string {
  if (watch.kind === 'order') return command(`unwatch order ${watch.orderId ?? ''}`);
  if (watch.kind === 'subscriptions') return command(`unwatch subscriptions ${watch.customerName ?? 'all'}`);
  if (watch.kind === 'access') return command(`unwatch access ${watch.customerName ?? 'all'}`);
  return command(`unwatch ${watch.customerName ?? ''}`);
}

export function watchesButtons(input: WatchesInput): CardButton[] {
  if (input.buttons) return [...input.buttons];
  return input.watches.length === 0 ? [button.customers('', 1), button.help()] : [button.refresh(button.watches())];
}

export function watchesView(input: WatchesInput) {
  const rows = input.watches.slice(0, MAX_WATCHES);
  const more = input.watches.length - rows.length;
  return {
    title: 'Watches in this conversation',
    subtitle: `${count(input.watches.length, 'watch', 'watches')} · ${asOf(input.now)}`,
    isEmpty: input.watches.length === 0,
    emptyText: 'Nothing is watched here yet, so I post no alerts in this conversation.',
    emptyTry: 'watch Contoso',
    rows: rows.map((watch) => {
      const ref = watchRef(watch);
      const stop = ref ? renderActions([button.unwatch(ref, watch.kind === 'all' ? 'Stop watching all' : 'Stop watching')]) : [];
      return {
        kind: KIND_LABELS[watch.kind],
        target: target(watch),
        details: `${filters(watch)} · since ${formatUtcDate(watch.createdAt)}`,
        hasButton: stop.length > 0,
        actions: stop,
        unwatch: ref ? '' : unwatchCommand(watch),
      };
    }),
    hasMore: more > 0,
    moreText: `and ${count(more, 'more watch', 'more watches')}`,
  };
}
