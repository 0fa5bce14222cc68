import type { FastifyInstance, FastifyRequest } from 'fastify';
import { contentDisposition } from '../blobs/content-disposition.ts';
import { downloadSignatureValid, signedDownloadQuery } from '../blobs/download-url.ts';
import { assertOwned, assertReadable } from '../blobs/permissions.ts';
import { objectAccess, serializeBlob } from '../blobs/serialize.ts';
import { isBlobUid, newBlobUid } from '../blobs/uid.ts';
import { BLOB_UPLOAD_PATH, uploadFormFields, uploadUrl } from '../blobs/upload-policy.ts';
import { completeSize, newBlobParams, renameParams } from '../blobs/validate.ts';
import { currentAuth, currentUser } from '../http/authenticate.ts';
import { serviceBaseUrl } from '../http/base-url.ts';
import { notFound, TOKEN_REQUIRED, unauthorized, unprocessable } from '../http/errors.ts';
import { booleanParam, requestParams, stringParam } from '../http/request-params.ts';
import type { ServiceDeps } from '../service-deps.ts';
import type { BlobRow } from '../store/schema.ts';

const DEFAULT_PER_PAGE = 10;
const MAX_PER_PAGE = 100;

type IdParams = { Params: { id: string } };

function numericId(param: string): number | undefined {
  return /^\d{1,10}$/.test(param) && Number(param) < 2 ** 31 ? Number(param) : undefined;
}

/** Lenient like Rails' `to_i`: anything unusable falls back to the default. */
function pageParam(value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const parsed = Number.parseInt(value ?? '', 10);
  return Number.isInteger(parsed) && parsed > 0 ? Math.min(parsed, max) : fallback;
}

export async function blobRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  const { repository, files, signingKey } = deps.blobs;
  const signedUrlExpiry = () => new Date((Math.floor(Date.now() / 1000) + deps.options.uploadUrlTtlSeconds) * 1000);

  /** Public blobs stream from a plain URL; private ones from an expiring signed one. */
  function downloadUrl(request: FastifyRequest, blob: BlobRow): { url: string; expiresAt: Date | null } {
    const url = `${serviceBaseUrl(request, deps.options)}/blobs/${blob.uid}`;
    if (blob.public) return { url, expiresAt: null };
    const expiresAt = signedUrlExpiry();
    return { url: `${url}?${signedDownloadQuery(blob.uid, expiresAt, signingKey)}`, expiresAt };
  }

  async function downloadable(uid: string): Promise<BlobRow> {
    const blob = isBlobUid(uid) ? await repository.findByUid(uid) : undefined;
    if (blob?.blob_status !== 'complete') throw notFound();
    return blob;
  }

  app.post('/blobs', { config: { auth: 'user' } }, async (request, reply) => {
    const { auth, user } = currentUser(request);
    const fields = newBlobParams(requestParams(request));
    const blob = await repository.insert({
      ...fields,
      uid: newBlobUid(),
      applicationId: auth.application.id,
      userId: user.id,
    });
    const expiresAt = signedUrlExpiry();
    const form = uploadFormFields(
      {
        uid: blob.uid,
        contentType: blob.content_type,
        public: blob.public,
        expiresAt,
        maxBytes: deps.options.maxBlobBytes,
      },
      signingKey,
    );
    const url = uploadUrl(`${serviceBaseUrl(request, deps.options)}${BLOB_UPLOAD_PATH}`, form);
    return reply.status(201).send({ blob: serializeBlob(blob, objectAccess(blob, 'Write', url, expiresAt)) });
  });

  app.get('/blobs', { config: { auth: 'user' } }, async (request) => {
    const { user } = currentUser(request);
    const params = requestParams(request);
    const page = pageParam(stringParam(params, 'page'), 1);
    const perPage = pageParam(stringParam(params, 'per_page'), DEFAULT_PER_PAGE, MAX_PER_PAGE);
    const { rows, total } = await repository.listForUser(user.id, { offset: (page - 1) * perPage, limit: perPage });
    return {
      current_page: page,
      per_page: perPage,
      total_entries: total,
      items: rows.map((blob) => ({ blob: serializeBlob(blob) })),
    };
  });

  // One route for two things, as the wire has it: `/blobs/{id}` (digits) is the info,
  // `/blobs/{uid}` streams the bytes. The router cannot tell them apart; the parameter can.
  app.get<IdParams>('/blobs/:id', { config: { auth: 'optional', tokenInQuery: true } }, async (request, reply) => {
    const id = numericId(request.params.id);
    if (id !== undefined) {
      const auth = request.auth;
      if (!auth) throw unauthorized(TOKEN_REQUIRED);
      const blob = await repository.findById(auth.application.id, id);
      if (!blob) throw notFound();
      assertReadable(blob, auth);
      return { blob: serializeBlob(blob) };
    }

    const blob = await downloadable(request.params.id);
    const signed = downloadSignatureValid(blob.uid, request.query as Record<string, unknown>, signingKey, new Date());
    if (!signed) assertReadable(blob, request.auth);
    const file = await files.open(blob.uid);
    if (!file) throw notFound();
    return (
      reply
        .header('Content-Type', blob.content_type)
        .header('Content-Length', file.size)
        .header('Content-Disposition', contentDisposition(blob.name))
        .header('Cache-Control', blob.public ? 'public, max-age=3600' : 'private, no-store')
        // Users choose the content type: an uploaded HTML or SVG page must not run as this origin.
        .header('Content-Security-Policy', 'sandbox')
        .header('X-Content-Type-Options', 'nosniff')
        .send(file.stream)
    );
  });

  app.get<IdParams>('/blobs/:id/object', { config: { auth: 'session' } }, async (request) => {
    const auth = currentAuth(request);
    const blob = isBlobUid(request.params.id) ? await repository.findByUid(request.params.id) : undefined;
    if (!blob) throw notFound();
    assertReadable(blob, auth);
    if (!booleanParam(requestParams(request), 'download_url')) return { blob: serializeBlob(blob) };
    if (blob.blob_status !== 'complete') throw notFound('The file has not been uploaded yet.');
    const { url, expiresAt } = downloadUrl(request, blob);
    return { blob: serializeBlob(blob, objectAccess(blob, 'Read', url, expiresAt)) };
  });

  app.get<IdParams>(
    '/blobs/:id/download',
    { config: { auth: 'optional', tokenInQuery: true } },
    async (request, reply) => {
      const blob = await downloadable(request.params.id);
      assertReadable(blob, request.auth);
      return reply.redirect(downloadUrl(request, blob).url, 302);
    },
  );

  app.put<IdParams>('/blobs/:id', { config: { auth: 'user' } }, async (request) => {
    const { auth, user } = currentUser(request);
    const id = numericId(request.params.id);
    const blob = assertOwned(
      id === undefined ? undefined : await repository.findById(auth.application.id, id),
      user.id,
    );
    const renamed = await repository.rename(blob.id, renameParams(requestParams(request)));
    return { blob: serializeBlob(renamed) };
  });

  app.put<IdParams>('/blobs/:id/complete', { config: { auth: 'user' } }, async (request, reply) => {
    const { auth, user } = currentUser(request);
    const id = numericId(request.params.id);
    const blob = assertOwned(
      id === undefined ? undefined : await repository.findById(auth.application.id, id),
      user.id,
    );
    const size = completeSize(requestParams(request));
    const uploaded = await files.size(blob.uid);
    if (uploaded === undefined) throw unprocessable({ base: ['The file has not been uploaded yet.'] });
    if (uploaded !== size) throw unprocessable({ size: ['does not match the size of the uploaded file'] });
    // Completing twice with the right size is harmless; the first completion time stays.
    if (blob.blob_status !== 'complete') await repository.complete(blob.id, size);
    return reply.status(200).send();
  });

  app.delete<IdParams>('/blobs/:id', { config: { auth: 'user' } }, async (request, reply) => {
    const { auth, user } = currentUser(request);
    const id = numericId(request.params.id);
    const blob = assertOwned(
      id === undefined ? undefined : await repository.findById(auth.application.id, id),
      user.id,
    );
    await repository.delete(blob.id);
    await files.remove(blob.uid);
    return reply.status(200).send();
  });
}
