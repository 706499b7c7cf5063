/**
 * A small typed event emitter. Listeners are called synchronously in registration order. A listener
 * that throws must not break the device that emitted (the emit usually runs inside a serial or socket
 * callback, where a throw would become an uncaught exception and take the hardware worker down), so
 * its error goes to `onListenerError` instead.
 */

export type Listener<T> = (payload: T) => void;

/** `E` maps event names to payload types, e.g. `{ data: ScanData; error: DeviceErrorEvent }`. */
export class TypedEmitter<E extends object> {
  readonly #listeners = new Map<string, Set<Listener<never>>>();

  constructor(
    private readonly onListenerError: (error: unknown, event: string) => void = (error, event) => {
      console.error(`A listener of '${event}' threw`, error);
    },
  ) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      this.off(event, listener);
    };
  }

  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  emit<K extends keyof E & string>(event: K, payload: E[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    // A copy, so listeners that unsubscribe (once) or subscribe while we iterate behave predictably.
    for (const listener of [...set] as Listener<E[K]>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  listenerCount(event: keyof E & string): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}
