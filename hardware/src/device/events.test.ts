import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './events.ts';

interface Events {
  readonly data: string;
  readonly count: number;
}

describe('TypedEmitter', () => {
  it('calls listeners in registration order and stops after unsubscribe', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    const offA = emitter.on('data', (value) => seen.push(`a:${value}`));
    emitter.on('data', (value) => seen.push(`b:${value}`));
    emitter.emit('data', 'x');
    offA();
    emitter.emit('data', 'y');
    expect(seen).toEqual(['a:x', 'b:x', 'b:y']);
    expect(emitter.listenerCount('data')).toBe(1);
  });

  it('calls a once listener a single time', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: number[] = [];
    emitter.once('count', (value) => seen.push(value));
    emitter.emit('count', 1);
    emitter.emit('count', 2);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('count')).toBe(0);
  });

  it('keeps emitting to the other listeners when one throws, and reports the throw', () => {
    const reported: [unknown, string][] = [];
    const emitter = new TypedEmitter<Events>((error, event) => reported.push([error, event]));
    const seen: string[] = [];
    const bug = new Error('listener bug');
    emitter.on('data', () => {
      throw bug;
    });
    emitter.on('data', (value) => seen.push(value));
    expect(() => {
      emitter.emit('data', 'scan');
    }).not.toThrow();
    expect(seen).toEqual(['scan']);
    expect(reported).toEqual([[bug, 'data']]);
  });

  it('does not call a listener added during an emit until the next emit', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: string[] = [];
    emitter.once('data', () => {
      emitter.on('data', (value) => seen.push(value));
    });
    emitter.emit('data', 'first');
    emitter.emit('data', 'second');
    expect(seen).toEqual(['second']);
  });
});
