import { events, type EventPayload, type PosEvent } from '../contract.ts';
import { describeError, type Logger } from '../logging/logger.ts';

/** Receives every validated event; each binding adds one (webContents.send, WebSocket push). */
export type EventSink = (event: PosEvent, payload: unknown) => void;

/**
 * Fans main-side events out to the bindings. Payloads are parsed with the contract before they
 * leave, so a service bug cannot push an off-contract shape (or an extra field) to a renderer.
 */
export class EventHub {
  readonly #sinks = new Set<EventSink>();

  constructor(private readonly logger: Logger) {}

  subscribe(sink: EventSink): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  publish<E extends PosEvent>(event: E, payload: EventPayload<E>): void {
    const parsed = events[event].safeParse(payload);
    if (!parsed.success) {
      this.logger.error('event outside the contract dropped', { event });
      return;
    }
    for (const sink of this.#sinks) {
      try {
        sink(event, parsed.data);
      } catch (error) {
        // One broken connection must not stop the others from hearing the event.
        this.logger.warn('event sink failed', { event, error: describeError(error) });
      }
    }
  }
}
