import { Readable } from 'node:stream';
import { multipartBody } from '../../src/files/multipart-body.ts';
import type { RunningGateway } from './gateway.ts';
import { restClient } from './rest-client.ts';
import { insertUser, PASSWORD, type UserFields } from './users.ts';

/** Multipart helpers for gateway tests: requests as a browser or `curl -F` sends them. */

let seq = 0;

/** A new user of the local service and a gateway login for it. */
export async function newUser(gw: RunningGateway, fields: UserFields = {}): Promise<{ id: number; token: string }> {
  const login = `up_${process.pid}_${++seq}`;
  const { id } = await insertUser(gw.local, login, fields);
  const res = await gw.gql(
    `mutation { login(input: { login: "${login}", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token } } } }`,
  );
  return { id, token: res.data.login.session.token };
}

/**
 * One operation with one file, per the GraphQL multipart request spec; the file goes to
 * `variables.input.file`.
 */
export async function postFile(
  gw: RunningGateway,
  token: string | null,
  query: string,
  input: Record<string, unknown>,
  file: Blob,
  filename: string,
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables: { input: { ...input, file: null } } }));
  form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.set('0', file, filename);
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

/** The same, with the file's bytes streamed as they are made (never whole in memory). */
export function postStreamedFile(
  gw: RunningGateway,
  token: string,
  query: string,
  file: StreamedFile,
): Promise<{ status: number; body: any }> {
  return sendStreamedUpload(`${gw.url}/graphql`, token, query, file);
}

export interface StreamedFile {
  filename: string;
  contentType: string;
  size: number;
  chunks: AsyncIterable<Uint8Array>;
}

/** A streamed multipart request to any GraphQL URL (the upload benchmark's client too). */
export async function sendStreamedUpload(
  graphqlUrl: string,
  token: string,
  query: string,
  file: StreamedFile,
): Promise<{ status: number; body: any }> {
  const form = multipartBody(
    [
      ['operations', JSON.stringify({ query, variables: { input: { file: null } } })],
      ['map', JSON.stringify({ 0: ['variables.input.file'] })],
    ],
    { field: '0', ...file },
  );
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': form.contentType,
      'content-length': String(form.contentLength),
    },
    body: Readable.toWeb(Readable.from(form.body)),
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, body: await res.json() };
}

/** How many blobs the token's user owns upstream (REST `GET /blobs` on the local service). */
export async function blobCount(gw: RunningGateway, token: string): Promise<number> {
  const res = await restClient(gw.local.url).get('/blobs', { token, query: { per_page: 100 } });
  if (res.status !== 200) throw new Error(`GET /blobs answered ${res.status}`);
  return res.body.total_entries;
}

export const UPLOAD_FILE = `mutation($input: UploadFileInput!) { uploadFile(input: $input) {
  __typename
  ... on UploadFileSuccess { file { uid name contentType size isPublic url } }
  ... on Error { code message }
  ... on ValidationError { fields { field messages } }
} }`;

export const SET_AVATAR = `mutation($input: SetAvatarInput!) { setAvatar(input: $input) {
  __typename
  ... on SetAvatarSuccess { user { databaseId avatarUrl avatar { uid isPublic contentType } customData } }
  ... on Error { code message }
  ... on ValidationError { fields { field messages } }
} }`;
