import type { IncomingMessage } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { type Context, createContext, type GatewayDeps, tokenFromHeaders } from '../context.ts';
import { createFileDownloadHandler } from '../files/file-download-handler.ts';
import { DEFAULT_MAX_FILES_PER_REQUEST, DEFAULT_MAX_MULTIPART_FIELD_BYTES } from '../files/graphql-multipart.ts';
import { createPublicFileHandler } from '../files/public-file-handler.ts';
import { useFileDownloads } from '../files/use-file-downloads.ts';
import { usePublicFiles } from '../files/use-public-files.ts';
import { useStreamingUploads } from '../files/use-streaming-uploads.ts';
import { buildSchema } from '../schema/index.ts';
import { graphiqlDefaultQuery, graphiqlHeaders, renderGatewayGraphiQL } from './graphiql.ts';
import { useHealth } from './use-health.ts';

/** Room for `operations`, `map` and part headers on top of the largest file. */
const MULTIPART_OVERHEAD_BYTES = 2 * DEFAULT_MAX_MULTIPART_FIELD_BYTES;

/** What Node's HTTP server hands yoga with each request (absent for in-process `fetch`). */
export interface ServerContext {
  req?: IncomingMessage;
}

export type GatewayYoga = YogaServerInstance<ServerContext, Context>;

/**
 * GraphQL over HTTP on `/graphql` (GET, POST, SSE) with GraphiQL served from the package
 * (no CDN), health endpoints, and a context per request. Errors that are not GraphQLErrors
 * are masked, always: no stack, upstream URL or token reaches a client.
 */
export function createGatewayYoga(deps: GatewayDeps, ready: () => Promise<boolean>): GatewayYoga {
  const { files } = deps;
  return createYoga<ServerContext, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: ({ request, req }) => createContext(deps, tokenFromHeaders(request.headers), deps.clientAddressOf(req)),
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => deps.logger.debug(args.length === 1 ? args[0] : args),
      info: (...args) => deps.logger.info(args.length === 1 ? args[0] : args),
      warn: (...args) => deps.logger.warn(args.length === 1 ? args[0] : args),
      error: (...args) => deps.logger.error(args.length === 1 ? args[0] : args),
    },
    graphiql: {
      title: 'cube-gateway',
      defaultQuery: graphiqlDefaultQuery,
      headers: graphiqlHeaders,
      defaultEditorToolsVisibility: 'headers',
      // GraphiQL keeps its tabs, and their headers (the token pasted there), in this origin's
      // localStorage: a reload restores the same tab signed in instead of opening an empty one.
      shouldPersistHeaders: true,
    },
    renderGraphiQL: renderGatewayGraphiQL,
    // yoga's 25 MB default would refuse uploads the files limit allows.
    maxRequestBodySize: files.limits.maxBytes + MULTIPART_OVERHEAD_BYTES,
    plugins: [
      useHealth(ready),
      // Before the signed downloads: both live under `/files/`.
      ...(files.publicViaGateway
        ? [
            usePublicFiles(
              createPublicFileHandler({
                upstream: files.blobs,
                onError: (err) => deps.logger.warn({ err }, 'public file download failed'),
              }),
            ),
          ]
        : []),
      useFileDownloads(
        createFileDownloadHandler({
          signer: files.signer,
          upstream: files.blobs,
          allowedSourceOrigins: files.allowedSourceOrigins,
          onError: (err) => deps.logger.warn({ err }, 'file download failed'),
        }),
        files.signer.pathPrefix,
      ),
      // After yoga's own parsers, so that its multipart parser (all files in memory) is replaced.
      useStreamingUploads({
        maxFileBytes: files.limits.maxBytes,
        maxFiles: DEFAULT_MAX_FILES_PER_REQUEST,
        maxFieldBytes: DEFAULT_MAX_MULTIPART_FIELD_BYTES,
      }),
    ],
  });
}
