import { describe, expect, it } from 'vitest';
import { looksLikeSwipe, readStaffBadge, readStaffCard } from './staff-card.ts';

describe('readStaffCard', () => {
  it.each([
    ['track 1 only', '%EMP0042^LI/BOB^?', { kind: 'card', cardKey: 'EMP0042' }],
    ['track 2 only', ';70012345=?', { kind: 'card', cardKey: '70012345' }],
    [
      'track 2 wins over track 1',
      '%S70012345^LI/BOB^?;70012345=0001?',
      { kind: 'card', cardKey: '70012345' },
    ],
    ['dashes folded like cardKey', '%EMP-0042^?', { kind: 'card', cardKey: 'EMP0042' }],
    ['lower case is outside track 1’s alphabet', '%emp0042^?', { kind: 'unreadable' }],
    ['an LRC-less reader’s bad read', ';E?', { kind: 'unreadable' }],
    ['a Visa test number on track 2', ';4111111111111111=25121010000000000000?', { kind: 'payment_card' }],
    ['a Mastercard on track 1 (format B)', '%B5555555555554444^DOE/JANE^2512101?', { kind: 'payment_card' }],
    ['a payment track beside a store track', '%EMP0042^?;4111111111111111=2512?', { kind: 'payment_card' }],
    ['the reader could not read it', '%E?', { kind: 'unreadable' }],
    ['no end sentinel', '%EMP0042^LI', { kind: 'unreadable' }],
    ['text outside a track', 'x%EMP0042^?', { kind: 'unreadable' }],
    [
      'a 16-digit number that fails Luhn is a store card',
      ';4111111111111112=?',
      { kind: 'card', cardKey: '4111111111111112' },
    ],
  ])('%s', (_name, swipe, expected) => {
    expect(readStaffCard(swipe)).toEqual(expected);
  });

  it('never returns any part of a payment card', () => {
    const read = readStaffCard(';4111111111111111=25121010000000000000?');
    expect(JSON.stringify(read)).not.toMatch(/4111/u);
  });

  it.each([
    ['%EMP?', true],
    [';123?', true],
    ['4006381333931', false],
    ['', false],
  ])('looksLikeSwipe(%j) is %s', (text, expected) => {
    expect(looksLikeSwipe(text)).toBe(expected);
  });
});

describe('readStaffBadge', () => {
  it.each([
    ['a swipe', '%EMP0042^LI/BOB^?', { kind: 'card', cardKey: 'EMP0042' }],
    ['a badge barcode', 'emp-0042', { kind: 'card', cardKey: 'EMP0042' }],
    ['a payment card number typed by a scanner', '4111 1111 1111 1111', { kind: 'payment_card' }],
    ['too short', 'AB', { kind: 'unreadable' }],
    ['punctuation', 'EMP/0042', { kind: 'unreadable' }],
  ])('%s', (_name, scan, expected) => {
    expect(readStaffBadge(scan)).toEqual(expected);
  });
});
