/**
 * Results as the cashier types: the first key queries at once, and while keys keep coming at most one
 * query starts per SEARCH_INTERVAL_MS, the last text always queried (a throttle with a trailing query:
 * the first results show as fast as the index answers, and fast typing is not one query per key);
 * indexed prefix queries (catalog.ts); answers that arrive out of order are dropped. Prices and stock of the
 * results follow in a second step, after the frame that shows the names, so the names show as fast as the
 * index answers.
 */
import { findPrice } from '@pos/app';
import type { Product } from '@pos/app';
import { useEffect, useRef, useState } from 'react';
import { nextFrameDrawn } from '../app/after-next-frame.ts';
import { useRuntime } from '../app/runtime-context.tsx';
import type { SearchHit } from './catalog.ts';

export const SEARCH_INTERVAL_MS = 60;

export interface SearchResult {
  readonly product: Product;
  readonly match: SearchHit['match'];
  /** Unit price now, or null when it has none; undefined while loading. */
  readonly price?: number | null;
  /** On hand at this store (thousandths), when known. */
  readonly stock?: number;
}

export interface ProductSearch {
  readonly query: string;
  readonly results: readonly SearchResult[];
  readonly status: 'idle' | 'searching' | 'done' | 'failed';
}

/** How long a query for new text waits: none after a pause, else until an interval since the last start. */
export function searchDelay(lastStartedAt: number, now: number, interval = SEARCH_INTERVAL_MS): number {
  return Math.max(0, lastStartedAt + interval - now);
}

const IDLE: ProductSearch = { query: '', results: [], status: 'idle' };

export function useProductSearch(query: string): ProductSearch {
  const runtime = useRuntime();
  const [search, setSearch] = useState<ProductSearch>(IDLE);
  const lastStarted = useRef(Number.NEGATIVE_INFINITY);
  const text = query.trim();

  useEffect(() => {
    if (text === '') {
      setSearch(IDLE);
      return undefined;
    }
    let live = true;
    // A function, so each check after an await reads the current value.
    const stale = (): boolean => !live;
    setSearch((current) => ({ query: text, results: current.results, status: 'searching' }));
    const wait = searchDelay(lastStarted.current, performance.now());
    const timer = setTimeout(() => {
      lastStarted.current = performance.now();
      const config = runtime.config();
      runtime.catalog
        .search(text, config.scanConfig)
        .then(async (hits) => {
          if (stale()) return;
          setSearch({ query: text, results: hits, status: 'done' });
          // Prices and stock are asked for once the names are on screen: started here, their twenty-odd
          // queries would run before the frame that shows the names.
          await nextFrameDrawn();
          if (stale()) return;
          const ids = hits.map((h) => h.product.id);
          const [stock] = await Promise.all([
            runtime.catalog.stockOf(ids),
            Promise.all(ids.map((id) => runtime.prices.ensure(id))),
          ]);
          if (stale()) return;
          const index = runtime.prices.priceIndex();
          const groups = runtime.saleStore.getState().sale?.customer?.groupIds ?? [];
          const at = runtime.services.now().getTime();
          setSearch({
            query: text,
            status: 'done',
            results: hits.map((hit) => {
              const level = stock.get(hit.product.id);
              return {
                ...hit,
                price:
                  findPrice(index, hit.product.id, { at, storeId: config.storeId, customerGroupIds: groups })
                    ?.unitPrice ?? null,
                ...(level === undefined ? {} : { stock: level }),
              };
            }),
          });
        })
        .catch(() => {
          if (!stale()) setSearch({ query: text, results: [], status: 'failed' });
        });
    }, wait);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [runtime, text]);

  return search;
}
