import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Documents longer than this are parsed every time, never kept. */
export const MAX_CACHED_DOCUMENT_CHARS = 20_000;
/** All cached documents together, in characters of source. */
const MAX_CACHED_CHARS = 500_000;

/**
 * yoga's parse cache, bounded by size instead of by count. Its default keeps the last 1,000
 * documents whatever their size, and a parsed document (with its token list) takes some 50
 * times its source: 1,000 distinct documents of 15,000 tokens each would hold gigabytes.
 * Here a large document is never cached and all of them together stay within a few MB.
 */
export function boundedParserCache() {
  const options = {
    max: 1_000,
    maxSize: MAX_CACHED_CHARS,
    maxEntrySize: MAX_CACHED_DOCUMENT_CHARS,
    sizeCalculation: (_value: unknown, key: string) => Math.max(1, key.length),
  };
  return {
    documentCache: new LRUCache<string, DocumentNode>(options),
    errorCache: new LRUCache<string, object>(options),
  };
}
