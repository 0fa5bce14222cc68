import { unprocessable } from '../http/errors.ts';
import { booleanParam, objectParam, type Params, stringParam } from '../http/request-params.ts';

// The storage page's file model: "the length can be min 1 char and max 100 chars".
const MAX_NAME_LENGTH = 100;
const MAX_CONTENT_TYPE_LENGTH = 255;
// It is sent back as the Content-Type header when the blob is streamed, so it must be one.
const CONTENT_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(?:\s*;\s*[\w!#$&^.+-]+=(?:[\w!#$&^.+-]+|"[^"\r\n\\]*"))*$/;

function nameProblem(name: string | undefined): string[] | undefined {
  if (!name?.trim()) return ["can't be blank"];
  if (name.length > MAX_NAME_LENGTH) return [`is too long (maximum is ${MAX_NAME_LENGTH} characters)`];
  if (/[\0\r\n]/.test(name)) return ['is invalid'];
  return undefined;
}

/** `{"blob": {content_type, name, public}}`, JSON or form; 422 per field. */
export function newBlobParams(params: Params): { contentType: string; name: string; public: boolean } {
  const blob = objectParam(params, 'blob') ?? {};
  const contentType = stringParam(blob, 'content_type')?.trim();
  const name = stringParam(blob, 'name');
  const contentTypeProblem = !contentType
    ? ["can't be blank"]
    : contentType.length > MAX_CONTENT_TYPE_LENGTH || !CONTENT_TYPE.test(contentType)
      ? ['is invalid']
      : undefined;
  const nameProblems = nameProblem(name);
  if (contentTypeProblem || nameProblems) {
    throw unprocessable({
      ...(contentTypeProblem && { content_type: contentTypeProblem }),
      ...(nameProblems && { name: nameProblems }),
    });
  }
  return { contentType: contentType!, name: name!, public: booleanParam(blob, 'public') ?? false };
}

/** `{"blob": {"name"}}` for a rename. */
export function renameParams(params: Params): string {
  const name = stringParam(objectParam(params, 'blob') ?? {}, 'name');
  const problem = nameProblem(name);
  if (problem) throw unprocessable({ name: problem });
  return name!;
}

/** `{"blob": {"size": N}}`; the JS SDK sends `{"size": N}` at the top level, so both. */
export function completeSize(params: Params): number {
  const raw = stringParam(objectParam(params, 'blob') ?? {}, 'size') ?? stringParam(params, 'size');
  if (raw === undefined || raw === '') throw unprocessable({ size: ["can't be blank"] });
  if (!/^\d{1,15}$/.test(raw)) throw unprocessable({ size: ['is not a number'] });
  return Number(raw);
}
