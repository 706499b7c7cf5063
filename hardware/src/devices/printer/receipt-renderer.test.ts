import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  buildReceipt,
  buildReturnReceipt,
  type ReceiptModel,
  type ReceiptStoreInfo,
  type ReturnRecord,
} from '@pos/app';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cashSaleEur } from '../../../../app/src/domain/test-fixtures.ts';
import { EscPosInterpreter } from '../../simulators/escpos-printer-interpreter.ts';
import { StarPrntTokenizer } from '../../simulators/star-printer-simulator.ts';
import { tokenizeEscPos } from './escpos-tokenizer.ts';
import { decodeGb18030, encodeGb18030, textWidth } from './gb18030.ts';
import { printerProfile, PRINTER_PROFILES } from './profiles.ts';
import { codepageCandidatesFor, markAsCopy, printedTime, renderReceipt, wrap } from './receipt-renderer.ts';

/**
 * Goldens are regenerated only on purpose: `UPDATE_GOLDEN=1 npx vitest run <this file>`, then review
 * the diff (and, on a dev box, decode the bytes with escpos-tools) before committing.
 */
const GOLDEN_DIR = new URL('../../../test/golden/', import.meta.url);

export const TEST_STORE: ReceiptStoreInfo = {
  name: 'Omnitill Market',
  addressLines: ['1 Rue de la Paix', '75002 Paris'],
  phone: '+33 1 00 00 00 00',
  footerLines: ['Merci, à bientôt !'],
  locale: 'fr-FR',
  timeZone: 'Europe/Paris',
  receiptQrBaseUrl: 'https://r.example.com/',
};

const receipt = (): ReceiptModel =>
  buildReceipt(cashSaleEur, TEST_STORE, { copy: false, cashierName: 'Anna' });

function chineseReceipt(): ReceiptModel {
  return buildReceipt(
    cashSaleEur,
    { ...TEST_STORE, name: '全家便利店', footerLines: ['谢谢惠顾'], locale: 'zh-CN' },
    { copy: false, cashierName: 'Anna' },
  );
}

function hex(bytes: Uint8Array): string {
  return (
    (
      Buffer.from(bytes)
        .toString('hex')
        .match(/.{1,64}/g) ?? []
    ).join('\n') + '\n'
  );
}

/** Every command the renderer may emit; the inventory test fails on anything else. */
const INVENTORY = new Set([
  'ESC @',
  'FS .',
  'FS &',
  'ESC M',
  'ESC E',
  'ESC t',
  'ESC a',
  'GS !',
  'GS B',
  'GS h',
  'GS w',
  'GS H',
  'GS k',
  'GS ( k',
  'GS V',
  'GS v 0',
  // The logo, as the encoder prints images on these models: ESC * bands at ESC 3 spacing, GS P units.
  'ESC *',
  'ESC 3',
  'ESC 2',
  'GS P',
  'LF',
  'TEXT',
]);

function printed(bytes: Uint8Array, model = printerProfile('epson-tm-t88').encoderModel): EscPosInterpreter {
  const interpreter = new EscPosInterpreter(model);
  for (const token of tokenizeEscPos(bytes)) interpreter.execute(token);
  return interpreter;
}

describe('renderReceipt golden bytes', () => {
  it.each([
    ['epson-tm-t88', receipt],
    ['epson-tm-t20', receipt],
    ['generic-58', receipt],
    ['xprinter-80-zh', chineseReceipt],
  ])('%s', (profileId, make) => {
    const bytes = renderReceipt(make(), printerProfile(profileId));
    const file = new URL(`receipt-${profileId}.hex`, GOLDEN_DIR);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, hex(bytes));
    expect(existsSync(file), `golden ${file.pathname} is missing; create it with UPDATE_GOLDEN=1`).toBe(true);
    expect(hex(bytes)).toBe(readFileSync(file, 'utf8'));
  });
});

describe('times on paper', () => {
  it.each([
    { locale: 'fr-FR', zone: 'Europe/Paris', value: '2026-06-02T09:05:00.000Z', printed: '02/06/2026 11:05' },
    {
      locale: 'en-GB',
      zone: 'Europe/London',
      value: '2026-01-15T23:30:00.000Z',
      printed: '15/01/2026, 23:30',
    },
    {
      locale: 'en-US',
      zone: 'America/New_York',
      value: '2026-01-16T03:30:00.000Z',
      printed: '01/15/2026, 22:30',
    },
    {
      locale: 'zh-CN',
      zone: 'Asia/Shanghai',
      value: '2026-06-02T09:05:00.000Z',
      printed: '2026/06/02 17:05',
    },
    { locale: 'fr-FR', zone: undefined, value: '2026-06-02T09:05:00.000Z', printed: '02/06/2026 09:05 UTC' },
    { locale: 'fr-FR', zone: 'Europe/Paris', value: 'not a time', printed: 'not a time' },
    {
      locale: 'fr-FR',
      zone: 'Mars/Olympus',
      value: '2026-06-02T09:05:00.000Z',
      printed: '2026-06-02T09:05:00.000Z',
    },
  ])('$value in $locale, $zone → $printed', ({ locale, zone, value, printed }) => {
    expect(printedTime(locale, zone)(value)).toBe(printed);
  });

  it("prints the sale's time in the store's zone, never the raw ISO form", () => {
    const text = printed(renderReceipt(receipt(), printerProfile('epson-tm-t88'))).lines.join('\n');
    expect(text).toMatch(/^Date +01\/03\/2024 10:15$/m);
    expect(text).not.toContain('2024-03-01T');
  });
});

const profileIds = (language: string): string[] =>
  Object.keys(PRINTER_PROFILES).filter((id) => printerProfile(id).language === language);

describe('command inventory', () => {
  it('covers every profile in one of the two languages', () => {
    expect(profileIds('esc-pos').length + profileIds('star-prnt').length).toBe(
      Object.keys(PRINTER_PROFILES).length,
    );
  });

  it.each(profileIds('star-prnt'))('every byte for %s is a StarPRNT command we decode', (profileId) => {
    const profile = printerProfile(profileId);
    for (const m of [receipt(), markAsCopy(receipt(), '2026-06-02T09:00:00.000Z')]) {
      const tokenizer = new StarPrntTokenizer();
      const tokens = tokenizer.push(renderReceipt(m, profile));
      expect(tokens.filter((t) => t.name === 'UNKNOWN').map((t) => t.params)).toEqual([]);
      expect(tokenizer.pendingBytes).toBe(0);
    }
  });

  it.each(profileIds('esc-pos'))('every byte for %s belongs to a known command', (profileId) => {
    const profile = printerProfile(profileId);
    const model = profile.chinese ? chineseReceipt() : receipt();
    for (const m of [model, markAsCopy(model, '2026-06-02T09:00:00.000Z')]) {
      const bytes = renderReceipt(m, profile);
      const tokens = tokenizeEscPos(bytes);
      const unknown = tokens.filter((t) => t.kind === 'unknown' || !INVENTORY.has(t.name));
      expect(unknown.map((t) => `${t.name} ${Buffer.from(t.bytes).toString('hex')}`)).toEqual([]);
      expect(tokens.reduce((n, t) => n + t.bytes.length, 0)).toBe(bytes.length);
    }
  });
});

describe('logo', () => {
  // 16 × 8: the left half black, the right half white.
  const width = 16;
  const height = 8;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const value = i % width < 8 ? 0 : 255;
    data.set([value, value, value, 255], i * 4);
  }

  it('prints the logo centred at the top with known commands only', () => {
    const bytes = renderReceipt(receipt(), printerProfile('epson-tm-t88'), { logo: { width, height, data } });
    const tokens = tokenizeEscPos(bytes);
    expect(tokens.filter((t) => !INVENTORY.has(t.name)).map((t) => t.name)).toEqual([]);
    const paper = printed(bytes);
    const image = paper.items.find((i) => i.kind === 'image');
    expect(image).toMatchObject({ kind: 'image', widthBytes: 2 });
    if (image?.kind !== 'image') throw new Error('no image');
    // Row 0: eight black dots then eight white ones.
    expect([...image.bits.subarray(0, 2)]).toEqual([0xff, 0x00]);
    expect(paper.items.indexOf(image)).toBe(0);
  });
});

describe('what the receipt says', () => {
  it('lays out the 58 mm receipt in 32 columns', () => {
    const paper = printed(renderReceipt(receipt(), printerProfile('generic-58')), 'pos-5890');
    const lines = paper.lines;
    // Figures from the fixture: 3 × 10.00 = 30.00 (VAT A), 12.99 (VAT B), total 42.99, change 7.01.
    expect(lines).toContain('Mug');
    expect(lines).toContain('  3 x 10.00              30.00 A');
    expect(lines).toContain('  1 x 12.99              12.99 B');
    expect(lines).toContain('Subtotal                   42.99');
    expect(lines).toContain('Total                  EUR 42.99');
    expect(lines).toContain('Cash                       42.99');
    expect(lines).toContain('  Received                 50.00');
    expect(lines).toContain('Change                  EUR 7.01');
    expect(lines).toContain('Receipt             S1-T1-000101');
    expect(lines).toContain('       Merci, à bientôt !'); // 18 characters centred in 32: 7 spaces
    expect(lines.every((l) => textWidth(l) <= 32)).toBe(true);
    expect(lines).not.toContain(' COPY ');
  });

  it('prints the receipt number as CODE128 and the digital receipt link as QR', () => {
    const paper = printed(renderReceipt(receipt(), printerProfile('epson-tm-t88')));
    const codes = paper.items.filter((i) => i.kind === 'barcode' || i.kind === 'qr');
    expect(codes).toMatchObject([
      { kind: 'barcode', symbology: 'code128', data: 'S1-T1-000101', align: 'center', moduleWidth: 3 },
      { kind: 'qr', data: 'https://r.example.com/S1-T1-000101', moduleSize: 6 },
    ]);
    expect(paper.items.filter((i) => i.kind === 'cut')).toEqual([{ kind: 'cut', partial: true }]);
  });

  it('narrows the barcode modules to fit 58 mm paper', () => {
    // 12 characters: (12 + 3) × 11 + 2 = 167 modules; 384 dots ÷ 167 = 2 dots per module.
    const paper = printed(renderReceipt(receipt(), printerProfile('generic-58')), 'pos-5890');
    expect(paper.items.find((i) => i.kind === 'barcode')).toMatchObject({ moduleWidth: 2 });
  });

  it('marks a copy with a COPY banner under the header and above the footer', () => {
    const copy = markAsCopy(receipt(), '2026-06-02T09:00:00.000Z');
    expect(copy.copy).toBe(true);
    expect(copy.blocks.map((b) => b.kind)).toEqual([
      'header',
      'copy',
      'lines',
      'amount',
      'amount',
      'taxes',
      'tenders',
      'amount',
      'info',
      'code',
      'copy',
      'footer',
    ]);
    const lines = printed(renderReceipt(copy, printerProfile('generic-58')), 'pos-5890').lines;
    expect(lines.filter((l) => l.trim() === 'COPY')).toHaveLength(2);
    // The reprint's time in the store's zone (Paris, summer time).
    expect(lines).toContain('Reprinted       02/06/2026 11:00');
    expect(markAsCopy(copy)).toBe(copy);
  });

  it('prints a return receipt with negative amounts and the reason', () => {
    // Returning a 7.90 candle (MWST 8.1 % inside: 0.59) bought on S1-T2-000123, refunded in cash.
    const ret: ReturnRecord = {
      returnId: 'ret-1',
      receiptNumber: 'S1-T2-R000004',
      storeId: 'store-1',
      deviceId: 'till-2',
      shiftId: 'shift-2',
      cashierId: 'cashier-1',
      currency: 'CHF',
      createdAt: '2026-06-03T15:00:00.000Z',
      originalSaleId: 'sale-9',
      originalReceiptNumber: 'S1-T2-000123',
      lines: [
        {
          returnLineId: 'rl1',
          originalLineId: 'l3',
          productId: 'candle',
          sku: 'SKU-candle',
          name: 'Candle',
          quantity: 1000,
          total: 790,
          net: 790,
          discount: 0,
          taxes: [{ taxId: 'mwst81', name: 'MWST 8.1 %', rate: 81_000, base: 731, amount: 59 }],
          tax: 59,
          disposition: 'restock',
          reason: 'Unwanted gift',
        },
      ],
      total: 790,
      tax: 59,
      taxes: [{ taxId: 'mwst81', name: 'MWST 8.1 %', rate: 81_000, base: 731, amount: 59 }],
      cashRounding: 0,
      refunds: [{ tenderId: 'rf1', type: 'cash', amount: 790 }],
      noReceipt: false,
      approvals: [],
    };
    const model = buildReturnReceipt(ret, { ...TEST_STORE, locale: 'de-CH' }, { copy: false });
    const bytes = renderReceipt(model, printerProfile('epson-tm-t88'));
    expect(tokenizeEscPos(bytes).filter((t) => !INVENTORY.has(t.name))).toEqual([]);
    const lines = printed(bytes).lines;
    expect(lines).toContain(`${' '.repeat(18)}RETURN`); // 6 characters centred in 42
    expect(lines).toContain(`Original receipt${' '.repeat(14)}S1-T2-000123`);
    expect(lines).toContain(`  1 x${' '.repeat(30)}-7.90 A`);
    expect(lines).toContain('  Unwanted gift');
    expect(lines).toContain(`Total refunded${' '.repeat(19)}CHF -7.90`);
    expect(lines).toContain(`  on 7.31${' '.repeat(29)}0.59`);
    expect(printed(bytes).items.find((i) => i.kind === 'barcode')).toMatchObject({ data: 'S1-T2-R000004' });
  });

  it('switches code pages for the store language and decodes back to the same text', () => {
    const polish = buildReceipt(
      cashSaleEur,
      { ...TEST_STORE, footerLines: ['Dziękujemy, zapraszamy ponownie'], locale: 'pl-PL' },
      { copy: false },
    );
    const bytes = renderReceipt(polish, printerProfile('epson-tm-t88'));
    // Epson numbers CP852 as code table 18.
    expect(tokenizeEscPos(bytes).some((t) => t.name === 'ESC t' && t.params[0] === 18)).toBe(true);
    // 31 characters centred in 42 columns: 5 spaces.
    expect(printed(bytes).lines).toContain('     Dziękujemy, zapraszamy ponownie');
  });

  it('prints Chinese in Kanji mode as GB18030 on a printer with a Chinese font', () => {
    const bytes = renderReceipt(chineseReceipt(), printerProfile('xprinter-80-zh'));
    const tokens = tokenizeEscPos(bytes);
    const kanji = tokens.findIndex((t) => t.name === 'FS &');
    // 全 = C8 AB in GB2312/GB18030.
    expect(tokens[kanji + 1]?.name).toBe('TEXT');
    expect([...(tokens[kanji + 1]?.bytes ?? [])].slice(-10, -8)).toEqual([0xc8, 0xab]);
    expect(tokens[kanji + 2]?.name).toBe('FS .');
    const lines = printed(bytes, 'xprinter-xp-t80q').lines;
    // Double size: 48 / 2 = 24 columns; the name is 10 columns wide, so 7 spaces centre it.
    expect(lines).toContain('       全家便利店');
    expect(lines).toContain('                    谢谢惠顾');
  });
});

describe("the store's language on paper", () => {
  const zhProfile = printerProfile('xprinter-80-zh');
  const paper = (model: ReceiptModel): string[] =>
    printed(renderReceipt(model, zhProfile), 'xprinter-xp-t80q').lines;
  // The fixture's mug line with a promotion, as the sale record stores it: in English.
  const promoted = {
    ...cashSaleEur,
    lines: cashSaleEur.lines.map((l, i) =>
      i === 0
        ? {
            ...l,
            discounts: [
              {
                source: 'promotion' as const,
                promotionId: 'p1',
                scope: 'line' as const,
                description: 'Buy 2 get 1 free — 杯子节',
                amount: 0,
              },
            ],
          }
        : l,
    ),
  };
  const chineseStore = { ...TEST_STORE, name: '全家便利店', footerLines: ['谢谢惠顾'], locale: 'zh-CN' };

  it('prints every fixed word and the promotion in Chinese for a zh-CN store', () => {
    const lines = paper(buildReceipt(promoted, chineseStore, { copy: false, cashierName: 'Anna' }));
    // 48 columns; a Chinese character takes two.
    expect(lines).toContain(`  杯子节：买 2 送 1${' '.repeat(25)}0.00`);
    expect(lines).toContain(`小计${' '.repeat(39)}42.99`);
    expect(lines).toContain(`合计${' '.repeat(35)}EUR 42.99`);
    expect(lines).toContain('价格已含税');
    expect(lines).toContain(`  税基 25.00${' '.repeat(32)}5.00`);
    expect(lines).toContain(`税额合计${' '.repeat(36)}6.18`);
    expect(lines).toContain(`现金${' '.repeat(39)}42.99`);
    expect(lines).toContain(`  实收${' '.repeat(37)}50.00`);
    expect(lines).toContain(`找零${' '.repeat(36)}EUR 7.01`);
    // The time is still recognised (by its translated label) and printed in the store's zone.
    expect(lines).toContain(`日期${' '.repeat(28)}2024/03/01 10:15`);
    const text = lines.join('\n');
    for (const english of ['Subtotal', 'Total', 'Tax', 'Cash', 'Received', 'Change', 'Date', 'Buy 2'])
      expect(text).not.toContain(english);
  });

  it('reprints a Chinese receipt from the queue in Chinese: the banner and the reprint time', () => {
    const model = buildReceipt(promoted, chineseStore, { copy: false, cashierName: 'Anna' });
    const lines = paper(markAsCopy(model, '2026-06-02T09:00:00.000Z'));
    // Double width: 24 columns; " 副本 " is 6 columns wide, centred with 9 spaces (the paper keeps no
    // trailing space).
    expect(lines.filter((l) => l === `${' '.repeat(9)} 副本`)).toHaveLength(2);
    expect(lines).toContain(`补打时间${' '.repeat(24)}2026/06/02 11:00`);
    expect(lines.join('\n')).not.toContain('COPY');
  });

  it('prints English for a language it has no words for, and a copy says COPY', () => {
    // The dash before the campaign is in no single-byte code page: printed as a hyphen.
    const mugs = {
      ...promoted,
      lines: promoted.lines.map((l) => ({
        ...l,
        discounts: l.discounts.map((d) => ({ ...d, description: 'Buy 2 get 1 free — Mugs' })),
      })),
    };
    const model = buildReceipt(mugs, { ...TEST_STORE, locale: 'sw-KE' }, { copy: false });
    const lines = printed(
      renderReceipt(markAsCopy(model, '2026-06-02T09:00:00.000Z'), printerProfile('generic-58')),
      'pos-5890',
    ).lines;
    expect(lines).toContain('  Buy 2 get 1 free - Mugs   0.00');
    expect(lines).toContain('Subtotal                   42.99');
    expect(lines.filter((l) => l.trim() === 'COPY')).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('Reprinted'))).toBe(true);
  });

  it('still prints the times of a job queued with English labels by an older till', () => {
    const old = buildReceipt(cashSaleEur, TEST_STORE, { copy: false });
    const lines = paper({ ...old, locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    expect(lines).toContain(`Date${' '.repeat(28)}2024/03/01 17:15`);
  });
});

describe('helpers', () => {
  it.each([
    ['pl-PL', ['cp852', 'cp858', 'cp437']],
    ['ru', ['cp866', 'cp858', 'cp437']],
    ['de-CH', ['cp437', 'cp858']],
    ['zh-CN', undefined],
  ])('code pages for %s', (locale, pages) => {
    expect(codepageCandidatesFor(locale)).toEqual(pages);
  });

  it.each([
    ['Coffee beans from Brazil', 10, ['Coffee', 'beans from', 'Brazil']],
    ['Supercalifragilistic', 8, ['Supercal', 'ifragili', 'stic']],
    ['', 5, ['']],
    ['全家便利店', 4, ['全家', '便利', '店']],
    ['全家', 1, ['全', '家']],
    ['  Ref 1234 5678', 10, ['  Ref 1234', '  5678']],
  ])('wrap %j at %i', (text, columns, lines) => {
    expect(wrap(text, columns)).toEqual(lines);
  });

  it('wraps any text into lines that fit and lose no word', () => {
    const word = fc.stringMatching(/^[A-Za-zé全家]{1,15}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 2, max: 48 }),
        (words, columns) => {
          const lines = wrap(words.join(' '), columns);
          expect(lines.every((line) => textWidth(line) <= columns)).toBe(true);
          // Words cut across lines come back whole when the pieces are joined without the spaces.
          expect(lines.join('').replace(/ /g, '')).toBe(words.join(''));
        },
      ),
    );
  });

  it('encodes GB18030 two-byte text and leaves ASCII alone', () => {
    expect([...encodeGb18030('A中€')]).toEqual([0x41, 0xd6, 0xd0, 0xa2, 0xe3]);
    expect(decodeGb18030(encodeGb18030('谢谢惠顾 12.00'))).toBe('谢谢惠顾 12.00');
    // Outside the two-byte table (an emoji needs four bytes): '?'.
    expect([...encodeGb18030('😀')]).toEqual([0x3f]);
  });
});
