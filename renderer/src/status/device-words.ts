/**
 * Devices as a cashier reads them: "Printer: out of paper", "Drawer open", "Card terminal offline",
 * "Scale ready". Main reports a coarse state (ready, busy, offline, error) and an English detail
 * sentence; the till shows its own translated words, so the detail is read here only to recognise the
 * printer conditions a cashier can fix (paper, cover, jam). Pure, so the mapping is tested by table.
 */
import type { DeviceStatus } from '@pos/app/contracts/desktop-bridge';

export type DeviceKind = DeviceStatus['kind'];

export type DeviceCondition =
  | 'ready'
  | 'busy'
  | 'offline'
  | 'error'
  | 'paper_out'
  | 'paper_low'
  | 'cover_open'
  | 'jammed'
  | 'printing'
  | 'drawer_open'
  | 'drawer_left_open'
  | 'drawer_closed'
  | 'payment_in_progress';

/** ok: nothing to do; busy: working; info: normal but worth seeing; warn: soon a problem; error: act now. */
export type Tone = 'ok' | 'busy' | 'info' | 'warn' | 'error';

const TONES: Readonly<Record<DeviceCondition, Tone>> = {
  ready: 'ok',
  busy: 'busy',
  offline: 'error',
  error: 'error',
  paper_out: 'error',
  paper_low: 'warn',
  cover_open: 'error',
  jammed: 'error',
  printing: 'busy',
  drawer_open: 'info',
  drawer_left_open: 'warn',
  drawer_closed: 'ok',
  payment_in_progress: 'busy',
};

export function toneOf(condition: DeviceCondition): Tone {
  return TONES[condition];
}

/** A printer condition named in main's detail sentence, or null (see hardware/…/printer/status.ts). */
export function printerConditionIn(
  detail: string,
): 'paper_out' | 'paper_low' | 'cover_open' | 'jammed' | null {
  if (/out of paper|paper (?:is )?out|no paper|paper end(?!.*near)/iu.test(detail)) return 'paper_out';
  if (/cover (?:is )?open/iu.test(detail)) return 'cover_open';
  if (/jam/iu.test(detail)) return 'jammed';
  if (/running low|paper (?:is )?low|near(?:ly)? (?:the )?end/iu.test(detail)) return 'paper_low';
  return null;
}

export interface DeviceView {
  readonly status: DeviceStatus;
  /** The drawer sensor, from `hardware.drawer`; absent until the first drawer event. */
  readonly drawer?: { readonly open: boolean; readonly leftOpenMs: number };
  /** The latest print job's trouble (`waiting`/`failed` with a reason), or that one is printing. */
  readonly printJob?: {
    readonly state: 'queued' | 'printing' | 'printed' | 'waiting' | 'failed';
    readonly detail: string;
  };
  /** A card payment is in progress on this terminal. */
  readonly paying?: boolean;
}

export function conditionOf(view: DeviceView): DeviceCondition {
  const { status } = view;
  if (status.state === 'offline') {
    // A printer that stops for paper is reported not ready; the paper is the news, not "offline".
    const fixable = status.kind === 'printer' ? printerConditionIn(status.detail) : null;
    return fixable ?? 'offline';
  }
  switch (status.kind) {
    case 'printer': {
      const job = view.printJob;
      if (job !== undefined && (job.state === 'waiting' || job.state === 'failed')) {
        return printerConditionIn(job.detail) ?? printerConditionIn(status.detail) ?? 'error';
      }
      const fixable = printerConditionIn(status.detail);
      if (fixable !== null) return fixable;
      if (status.state === 'error') return 'error';
      if (job !== undefined && (job.state === 'queued' || job.state === 'printing')) return 'printing';
      return status.state === 'busy' ? 'busy' : 'ready';
    }
    case 'drawer': {
      if (status.state === 'error') return 'error';
      const drawer = view.drawer;
      if (drawer === undefined) return status.state === 'busy' ? 'busy' : 'ready';
      if (!drawer.open) return 'drawer_closed';
      return drawer.leftOpenMs > 0 ? 'drawer_left_open' : 'drawer_open';
    }
    case 'payment_terminal':
      if (status.state === 'error') return 'error';
      if (view.paying === true) return 'payment_in_progress';
      return status.state === 'busy' ? 'busy' : 'ready';
    case 'scale':
    case 'scanner':
    case 'customer_display':
    case 'card_reader':
      return status.state;
  }
}

/** The order devices appear in the status bar: the ones a sale depends on first. */
export const KIND_ORDER: readonly DeviceKind[] = [
  'printer',
  'drawer',
  'payment_terminal',
  'scale',
  'scanner',
  'customer_display',
  'card_reader',
];
