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
    uid: t.exposeString('uid', {
      description: "The file's upstream uid: `file(uid:)` and `setAvatar(input: { uid })` take it.",
    }),
    name: t.string({ description: 'File name, as uploaded.', resolve: (b) => b.name ?? '' }),
    contentType: t.string({
      description: 'Media type, decided from the bytes where they have a signature.',
      resolve: (b) => b.content_type ?? 'application/octet-stream',
    }),
    size: t.int({
      nullable: true,
      description: 'Size in bytes; null until the upload completed.',
      resolve: (b) => b.size ?? null,
    }),
    isPublic: t.boolean({
      description: 'Public files are readable by anyone with the URL; private ones through expiring signed URLs.',
      resolve: (b) => !!b.public,
    }),
    url: t.string({
      description:
        "Where a browser can fetch the bytes: for a public file a stable URL (on the gateway's own origin when it proxies public files, else the upstream's), for a private one a signed gateway URL that expires.",
      resolve: (b, _args, ctx) =>
        fileUrl(b, {
          signer: ctx.deps.files.signer,
          upstream: ctx.deps.files.blobs,
          publicFileUrl: ctx.deps.files.publicFileUrl,
          gatewayOrigin: ctx.deps.files.gatewayOrigin,
        }),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When the file was created.',
      resolve: (b) => new Date(b.created_at),
    }),
  }),
});

builder.queryField('file', (t) =>
  t.field({
    type: FileNode,
    nullable: true,
    description: 'A file by its uid; null when there is none.',
    authScopes: { authenticated: true },
    args: { uid: t.arg.string({ required: true, description: "The file's uid (`File.uid`)." }) },
    resolve: (_root, { uid }) => uid,
  }),
);
