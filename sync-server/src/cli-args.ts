/** `--port P --data-dir DIR [--database-url URL] [--products N] [--new-epoch]`, falling back to PORT / DATA_DIR / DATABASE_URL. */
import { parseArgs } from 'node:util';

export interface CliConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly products: number;
  /** After a restore or a move between databases: new epoch, every row re-stamped. */
  readonly newEpoch: boolean;
}

export function readCliConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      products: { type: 'string' },
      'new-epoch': { type: 'boolean' },
    },
    strict: true,
  });
  const portText = values.port ?? env.PORT ?? '8787';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`bad port ${portText}`);
  const dataDir = values['data-dir'] ?? env.DATA_DIR;
  if (dataDir === undefined || dataDir === '') throw new RangeError('--data-dir (or DATA_DIR) is required');
  const productsText = values.products ?? '1000';
  const products = Number(productsText);
  if (!Number.isSafeInteger(products) || products < 0) throw new RangeError(`bad --products ${productsText}`);
  const databaseUrl = values['database-url'] ?? env.DATABASE_URL;
  return {
    port,
    host: values.host ?? env.HOST ?? '127.0.0.1',
    dataDir,
    databaseUrl: databaseUrl === '' ? undefined : databaseUrl,
    products,
    newEpoch: values['new-epoch'] === true,
  };
}
