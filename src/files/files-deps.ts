import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { FilesConfig, UpstreamConfig } from '../config.ts';
import type { UpstreamClient } from '../upstream/client.ts';
import { Agent } from '../upstream/undici.ts';
import { type BlobsUpstream, createBlobsUpstream } from './blobs-upstream.ts';
import { PUBLIC_FILE_PATH_PREFIX } from './public-file-handler.ts';
import { createFileUrlSigner, type FileUrlSigner, MIN_SIGNING_SECRET_BYTES } from './signed-file-url.ts';
import { type UploadLimits, uploadLimits } from './upload-limits.ts';

/** What the files feature shares across requests; built once per process. */
export interface FilesDeps {
  blobs: BlobsUpstream;
  signer: FileUrlSigner;
  limits: UploadLimits;
  /** Where browsers reach the gateway (private `File.url`); set on listen when not configured. */
  gatewayOrigin: string;
  /** Hosts the download route may stream private bytes from. */
  allowedSourceOrigins: readonly string[];
  /** Whether `/files/public/<uid>` is served (config `publicViaGateway`). */
  publicViaGateway: boolean;
  /**
   * The URL handed out for a public file or avatar: `<gatewayOrigin>/files/public/<uid>` when
   * `publicViaGateway`, otherwise the upstream's own URL.
   */
  publicFileUrl(uid: string): string;
}

export function createFilesDeps(options: {
  config: FilesConfig;
  upstream: UpstreamConfig;
  client: UpstreamClient;
  logger: Logger;
  /** Until the server listens (or for good, with PUBLIC_URL unset and no listen). */
  defaultOrigin: string;
}): { files: FilesDeps; close(): Promise<void> } {
  const { config, upstream, client, logger } = options;
  // Signed upload/download URLs may be on another host than the API (S3), and uploads need a
  // long headers timeout: hence an Agent apart from the API pool.
  const agent = new Agent({
    connections: upstream.connections,
    connectTimeout: upstream.connectTimeoutMs,
    headersTimeout: upstream.headersTimeoutMs,
    bodyTimeout: upstream.bodyTimeoutMs,
    keepAliveTimeout: 10_000,
  });
  let secret: string | Uint8Array | undefined = config.urlSigningKey;
  if (!secret) {
    // Config refuses this in production; elsewhere a per-process key keeps development simple.
    secret = randomBytes(MIN_SIGNING_SECRET_BYTES);
    logger.warn('FILE_URL_SIGNING_KEY is not set: using a random key, so private file URLs stop working on restart.');
  }
  const blobs = createBlobsUpstream({ client, dispatcher: agent, uploadTimeoutMs: config.uploadTimeoutMs });
  const files: FilesDeps = {
    blobs,
    signer: createFileUrlSigner({ secret, ttlSeconds: config.urlTtlSeconds }),
    limits: uploadLimits({
      maxBytes: config.maxUploadBytes,
      allowedContentTypes: config.allowedContentTypes,
      avatarContentTypes: config.avatarContentTypes,
    }),
    gatewayOrigin: config.publicUrl ?? options.defaultOrigin,
    allowedSourceOrigins: config.sourceOrigins ?? [new URL(blobs.publicBlobUrl('x')).origin],
    publicViaGateway: config.publicViaGateway,
    // Reads `gatewayOrigin` at call time: `start()` sets it to the port really bound.
    publicFileUrl: (uid) =>
      config.publicViaGateway
        ? `${files.gatewayOrigin}${PUBLIC_FILE_PATH_PREFIX}${encodeURIComponent(uid)}`
        : blobs.publicBlobUrl(uid),
  };
  // After the HTTP server drained: a transfer still running belongs to a cut connection.
  return { files, close: () => agent.destroy() };
}
