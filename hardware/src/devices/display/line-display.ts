/**
 * A customer-facing pole display (UPOS LineDisplay), two rows. The device keeps the text it was asked
 * to show and draws it again after every (re)start, so a display unplugged mid-sale shows the current
 * line as soon as it is back. While it is offline, `showLines` records the text and resolves: the
 * customer display never holds up a sale.
 */
import { BaseDevice, type DeviceOptions } from '../../device/base-device.ts';
import { concatBytes } from '../../device/bytes.ts';
import { DeviceError } from '../../device/errors.ts';
import type { Transport } from '../../transports/transport.ts';
import { encodeDisplayText, fitLine, type DisplayCharset } from './charset.ts';
import { unsupportedCharset, type Brightness, type DisplayCommandSet } from './command-sets.ts';

export const DISPLAY_ROWS = 2;

export interface LineDisplayConfig {
  readonly commandSet: DisplayCommandSet;
  readonly columns: number;
  readonly charset: DisplayCharset;
  /** Applied on every start when set. */
  readonly brightness?: Brightness;
}

export class LineDisplay extends BaseDevice {
  readonly kind = 'line_display';
  readonly label = 'customer display';
  #rows: readonly string[];
  #brightness: Brightness | undefined;

  constructor(
    id: string,
    transport: Transport,
    readonly config: LineDisplayConfig,
    options: DeviceOptions = {},
  ) {
    super(id, transport, options);
    if (!config.commandSet.charsets.includes(config.charset))
      throw unsupportedCharset(config.commandSet, config.charset);
    if (!Number.isInteger(config.columns) || config.columns < 1)
      throw new RangeError(`columns must be ≥ 1: ${config.columns}`);
    this.#brightness = config.brightness;
    this.#rows = Array.from({ length: DISPLAY_ROWS }, () => ' '.repeat(config.columns));
  }

  /** What the display shows (or will show once back online): each row fitted to the width. */
  get visibleLines(): readonly string[] {
    return this.#rows;
  }

  /** Shows two lines, clipped to the width; characters the display lacks are replaced (see charset.ts). */
  async showLines(line1: string, line2 = ''): Promise<void> {
    this.requireEnabled();
    const { columns, charset } = this.config;
    this.#rows = [fitLine(line1, columns, charset), fitLine(line2, columns, charset)];
    if (!this.linkUp) return;
    await this.transport.write(this.#encodeRows());
  }

  async clear(): Promise<void> {
    this.requireEnabled();
    this.#rows = this.#rows.map(() => ' '.repeat(this.config.columns));
    if (!this.linkUp) return;
    await this.transport.write(this.config.commandSet.clear());
  }

  async setBrightness(level: Brightness): Promise<void> {
    this.requireEnabled();
    const command = this.config.commandSet.brightness(level);
    if (command === null) {
      throw new DeviceError(
        'illegal',
        `This display's command set (${this.config.commandSet.name}) cannot change brightness.`,
      );
    }
    this.#brightness = level;
    if (!this.linkUp) return;
    await this.transport.write(command);
  }

  protected override async onStart(): Promise<void> {
    const { commandSet, charset } = this.config;
    const brightness = this.#brightness === undefined ? null : commandSet.brightness(this.#brightness);
    const parts = [
      commandSet.initialize(charset),
      ...(brightness === null ? [] : [brightness]),
      this.#encodeRows(),
    ];
    await this.transport.write(concatBytes(parts));
  }

  /** Displays do not talk back; anything they send is ignored. */
  protected onData(): void {
    return;
  }

  #encodeRows(): Uint8Array {
    return this.config.commandSet.writeRows(
      this.#rows.map((row) => encodeDisplayText(row, this.config.charset)),
    );
  }
}
