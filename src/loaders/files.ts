import { getBlobByUid } from '../upstream/blobs.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import type { UpstreamBlob } from '../upstream/types.ts';

/**
 * Batch function for files by uid. The upstream has no multi-blob read, so a batch is one
 * call per distinct uid; they queue within the operation's upstream concurrency
 * (UPSTREAM_CONCURRENCY_PER_OPERATION, see `limits/operation-scope.ts`). Results in key
 * order, null where none exists and an Error for a uid whose call failed (the others still
 * resolve).
 */
export function batchFilesByUid(client: UpstreamClient, token: string) {
  return async (uids: readonly string[]): Promise<(UpstreamBlob | Error | null)[]> => {
    const distinct = [...new Set(uids)];
    const settled = await Promise.allSettled(distinct.map((uid) => getBlobByUid(client, token, uid)));
    const byUid = new Map(
      distinct.map((uid, i) => {
        const s = settled[i];
        return [uid, s?.status === 'fulfilled' ? s.value : (s?.reason as Error)];
      }),
    );
    return uids.map((uid) => byUid.get(uid) ?? null);
  };
}
