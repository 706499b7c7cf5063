/**
 * A cash drawer on the receipt printer's drawer-kick connector (UPOS CashDrawer). Opening it is a
 * pulse on pin 2 or pin 5 (ESC/POS ESC p; StarPRNT ESC BEL n1 n2 then BEL or SUB, which the printer
 * supplies as `drawerPulse`); whether it is open comes from the drawer switch, which the printer
 * reports in its status (ESC/POS pin 3 in DLE EOT 1 and ASB; Star's compulsion switch bit in ASB).
 * What a high level means depends on the drawer's wiring, so the polarity is configured (`openLevel`).
 *
 * The pulse goes through the printer's command queue, so it never lands inside a receipt's bytes. While
 * the drawer is open the printer is polled (ASB, when on, reports the close sooner), and a drawer
 * left open longer than `leftOpenAfterMs` raises `leftOpen` once per opening, for the till to nag.
 */
import { TypedEmitter, type Listener } from '../../device/events.ts';
import type { PrinterStatus } from '../printer/status.ts';

export type DrawerPin = 2 | 5;

export interface CashDrawerConfig {
  readonly pin: DrawerPin;
  /** Pulse on-time; sent in 2 ms units (1–255). */
  readonly onMs: number;
  readonly offMs: number;
  /** Pin 3 level while the drawer is open. */
  readonly openLevel: 'high' | 'low';
  readonly leftOpenAfterMs: number;
  /** Status poll while the drawer is open. */
  readonly pollIntervalMs: number;
}

export const DEFAULT_DRAWER_CONFIG: CashDrawerConfig = {
  pin: 2,
  onMs: 100,
  offMs: 500,
  openLevel: 'high',
  leftOpenAfterMs: 60_000,
  pollIntervalMs: 1000,
};

/** What the drawer needs from the printer it hangs off. */
export interface DrawerHost {
  sendCommand(bytes: Uint8Array): Promise<void>;
  /** The printer's own kick command; ESC p when the host has none. */
  drawerPulse?(pin: DrawerPin, onMs: number, offMs: number): Uint8Array;
  queryStatus(): Promise<PrinterStatus>;
  on(event: 'printerStatus', listener: Listener<PrinterStatus>): () => void;
}

export interface DrawerEvents {
  /** The sensor changed (UPOS CASH_SUE_DRAWEROPEN / DRAWERCLOSED). */
  readonly drawer: { readonly open: boolean };
  /** Open for `leftOpenAfterMs` without being closed. */
  readonly leftOpen: { readonly openForMs: number };
}

/** ESC p m t1 t2: m = 0 for pin 2, 1 for pin 5; times in 2 ms units, rounded, kept within 1–255. */
export function drawerPulse(pin: DrawerPin, onMs: number, offMs: number): Uint8Array {
  const units = (ms: number): number => Math.min(255, Math.max(1, Math.round(ms / 2)));
  return Uint8Array.of(0x1b, 0x70, pin === 2 ? 0 : 1, units(onMs), units(offMs));
}

export function isDrawerOpen(status: PrinterStatus, openLevel: 'high' | 'low'): boolean {
  return status.drawerPin3High === (openLevel === 'high');
}

const POLLS_AFTER_KICK = 5;

export class CashDrawer {
  readonly #events = new TypedEmitter<DrawerEvents>();
  readonly #off: () => void;
  #open: boolean | undefined;
  #leftOpenTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  /** Polls left, after a kick, for the sensor to report the drawer open (a drawer without one never does). */
  #pollsAfterKick = 0;

  constructor(
    private readonly host: DrawerHost,
    readonly config: CashDrawerConfig = DEFAULT_DRAWER_CONFIG,
  ) {
    if (config.onMs < 2 || config.onMs > 510 || config.offMs < 2 || config.offMs > 510) {
      throw new RangeError(`drawer pulse times must be 2–510 ms: ${config.onMs}/${config.offMs}`);
    }
    this.#off = host.on('printerStatus', (status) => {
      this.#observe(status);
    });
  }

  /** undefined until the printer reported the sensor once. */
  get isOpen(): boolean | undefined {
    return this.#open;
  }

  on<K extends keyof DrawerEvents>(event: K, listener: Listener<DrawerEvents[K]>): () => void {
    return this.#events.on(event, listener);
  }

  /** Kicks the drawer open (UPOS openDrawer), then reads the sensor. */
  async openDrawer(): Promise<void> {
    const { pin, onMs, offMs } = this.config;
    await this.host.sendCommand(this.host.drawerPulse?.(pin, onMs, offMs) ?? drawerPulse(pin, onMs, offMs));
    this.#pollsAfterKick = POLLS_AFTER_KICK;
    this.#startPolling();
  }

  /** Reads the sensor now. */
  async refresh(): Promise<boolean> {
    const status = await this.host.queryStatus();
    this.#observe(status);
    return isDrawerOpen(status, this.config.openLevel);
  }

  /** Resolves when the drawer is (or already was) closed (UPOS waitForDrawerClose). */
  waitForClose(): Promise<void> {
    if (this.#open === false) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.on('drawer', ({ open }) => {
        if (open) return;
        off();
        resolve();
      });
    });
  }

  dispose(): void {
    this.#off();
    this.#stopTimers();
    this.#events.removeAllListeners();
  }

  #observe(status: PrinterStatus): void {
    const open = isDrawerOpen(status, this.config.openLevel);
    if (open === this.#open) return;
    this.#open = open;
    if (open) this.#pollsAfterKick = 0;
    this.#events.emit('drawer', { open });
    if (open) {
      clearTimeout(this.#leftOpenTimer);
      this.#leftOpenTimer = setTimeout(() => {
        this.#leftOpenTimer = undefined;
        if (this.#open === true) this.#events.emit('leftOpen', { openForMs: this.config.leftOpenAfterMs });
      }, this.config.leftOpenAfterMs);
      this.#startPolling();
    } else {
      clearTimeout(this.#leftOpenTimer);
      this.#leftOpenTimer = undefined;
      // Just after a kick the drawer may not have sprung open yet: keep polling for it.
      if (this.#pollsAfterKick <= 0) this.#stopTimers();
    }
  }

  #startPolling(): void {
    if (this.#pollTimer !== undefined) return;
    this.#pollTimer = setInterval(() => {
      if (this.#open !== true) {
        if (this.#pollsAfterKick <= 0) {
          this.#stopTimers();
          return;
        }
        this.#pollsAfterKick -= 1;
      }
      // A failed poll (printer unplugged) keeps the last known state; the printer reports the outage.
      this.host.queryStatus().then(
        (status) => {
          this.#observe(status);
        },
        () => undefined,
      );
    }, this.config.pollIntervalMs);
  }

  #stopTimers(): void {
    clearTimeout(this.#leftOpenTimer);
    this.#leftOpenTimer = undefined;
    clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
  }
}
