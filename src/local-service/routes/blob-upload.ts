import multipart, { type MultipartFile, type MultipartValue } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BLOB_UPLOAD_PATH, verifyUploadForm } from '../blobs/upload-policy.ts';
import { serviceBaseUrl } from '../http/base-url.ts';
import { ApiError, badRequest, forbidden, notFound } from '../http/errors.ts';
import type { ServiceDeps } from '../service-deps.ts';

// Room for the form fields and part headers around the file in a declared Content-Length.
const FORM_OVERHEAD_BYTES = 64 * 1024;

const tooLarge = (maxBytes: number) =>
  new ApiError(413, { base: [`File is too large (maximum is ${maxBytes} bytes)`] });

/** Form fields sent before the file, as strings; a repeated field cannot be matched to a policy. */
function formFields(part: MultipartFile): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, entry] of Object.entries(part.fields)) {
    if (entry === part || name === part.fieldname) continue;
    if (Array.isArray(entry) || entry?.type !== 'field') throw forbidden(`Upload form field ${name} is repeated`);
    fields[name] = String((entry as MultipartValue).value);
  }
  return fields;
}

function s3PostResponse(location: string, uid: string, md5: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<PostResponse><Location>${location}</Location><Bucket>blobs</Bucket>` +
    `<Key>${uid}</Key><ETag>"${md5}"</ETag></PostResponse>`
  );
}

/**
 * Step 2 of the upload: the form post to the URL `POST /blobs` handed out. The signature is
 * the credential (`auth: 'none'`); it is checked before a byte is stored, and the file
 * streams to disk without being held in memory.
 */
export async function blobUploadRoutes(app: FastifyInstance, deps: ServiceDeps): Promise<void> {
  const { repository, files, signingKey } = deps.blobs;
  const maxBytes = deps.options.maxBlobBytes;

  // Encapsulated: the multipart parser exists for this route only.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: maxBytes, files: 1, fields: 20, parts: 21, fieldSize: 16 * 1024 },
      // The file is the part named `file`, with or without a filename (a bare Buffer from
      // a form-data client has none); every other part is a field.
      isPartAFile: (fieldName: string | undefined) => fieldName === 'file',
    } as Parameters<typeof multipart>[1]);
    // When the file stream is torn down early (a failed disk write) the parser lets go of the
    // request; read off the rest, or the connection never goes idle for the next request.
    scope.addHook('onResponse', async (request) => {
      if (!request.raw.complete) request.raw.resume();
    });

    scope.post(BLOB_UPLOAD_PATH, { config: { auth: 'none' } }, async (request, reply: FastifyReply) => {
      if (!request.isMultipart()) throw badRequest('Upload must be multipart/form-data with the bytes in field "file"');
      // An honest client declares the length: refuse an oversize body before reading it.
      if (Number(request.headers['content-length']) > maxBytes + FORM_OVERHEAD_BYTES) {
        reply.header('Connection', 'close');
        throw tooLarge(maxBytes);
      }

      const part = await request.file();
      if (!part) throw badRequest('Upload form has no field "file"');
      // Whatever is refused below is still read to its end (and dropped), so the client
      // gets its answer on a connection that stays usable.
      const refuse = (error: ApiError): never => {
        part.file.resume();
        throw error;
      };
      const check = verifyUploadForm(formFields(part), signingKey, new Date());
      if (!check.ok) return refuse(forbidden(check.reason));
      const blob = await repository.findByUid(check.uid);
      if (!blob) return refuse(notFound());
      if (blob.blob_status === 'complete') return refuse(forbidden('The blob is complete; its file cannot change'));

      const received = await files.receive(part.file);
      if (part.file.truncated || received.size > Math.min(check.maxBytes, maxBytes)) {
        await received.discard();
        throw tooLarge(Math.min(check.maxBytes, maxBytes));
      }
      await received.commit(blob.uid);
      const location = `${serviceBaseUrl(request, deps.options)}/blobs/${blob.uid}`;
      return reply
        .status(201)
        .header('Content-Type', 'application/xml')
        .header('ETag', `"${received.md5}"`)
        .header('Location', location)
        .send(s3PostResponse(location, blob.uid, received.md5));
    });
  });
}
