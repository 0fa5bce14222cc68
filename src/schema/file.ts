import { fileUrl } from '../files/file-url.ts';
import { batchFilesByUid } from '../loaders/files.ts';
import type { UpstreamBlob } from '../upstream/types.ts';
import { builder } from './builder.ts';

/** `File`: a blob of the upstream's storage, loaded by uid through a per-request loader. */
export const FileNode = builder.loadableNode('File', {
  description: 'A stored file.',
  id: { resolve: (blob: UpstreamBlob) => blob.uid },
  load: (uids: string[], ctx) => {
    ctx.deps.metrics.loaderBatch('File', uids.length);
    return batchFilesByUid(ctx.deps.client, ctx.token ?? '')(uids);
  },
  toKey: (blob) => blob.uid,
  sort: false,
  fields: (t) => ({
    databaseId: t.exposeInt('id', { description: 'The upstream blob id.' }),
    uid: t.exposeString('uid'),
    name: t.string({ resolve: (b) => b.name ?? '' }),
    contentType: t.string({ resolve: (b) => b.content_type ?? 'application/octet-stream' }),
    size: t.int({ nullable: true, resolve: (b) => b.size ?? null }),
    isPublic: t.boolean({ resolve: (b) => !!b.public }),
    url: t.string({
      description:
        "Where a browser can fetch the bytes: the upstream's URL for a public file, a signed gateway URL that expires for a private one.",
      resolve: (b, _args, ctx) =>
        fileUrl(b, {
          signer: ctx.deps.files.signer,
          upstream: ctx.deps.files.blobs,
          gatewayOrigin: ctx.deps.files.gatewayOrigin,
        }),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (b) => new Date(b.created_at) }),
  }),
});

builder.queryField('file', (t) =>
  t.field({
    type: FileNode,
    nullable: true,
    description: 'A file by its uid; null when there is none.',
    authScopes: { authenticated: true },
    args: { uid: t.arg.string({ required: true }) },
    resolve: (_root, { uid }) => uid,
  }),
);
