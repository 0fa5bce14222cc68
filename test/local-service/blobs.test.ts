import { createHash, randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  freshDataDir,
  type RunningLocalService,
  startLocalService,
  storeUnderTest,
} from '../support/local-service.ts';
import { type RestClient, restClient, sessionsFor } from '../support/rest-client.ts';
import { userWithToken } from '../support/users.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Logs a new user in; users are inserted directly so these tests depend on sessions only. */
async function userToken(local: RunningLocalService, login: string): Promise<{ id: number; token: string }> {
  const { user, token } = await userWithToken(local, login);
  return { id: user.id, token };
}

/** Parses `params` as the SDKs do: split by hand, decodeURIComponent on each value. */
function parseUploadParams(params: string): { endpoint: string; fields: Record<string, string> } {
  const url = new URL(params);
  const fields: Record<string, string> = {};
  for (const pair of url.search.slice(1).split('&')) {
    const [name = '', value = ''] = pair.split('=');
    fields[name] = decodeURIComponent(value);
  }
  return { endpoint: `${url.origin}${url.pathname}`, fields };
}

/** Posts the upload form: every field first, then the bytes as `file`. */
async function postForm(endpoint: string, fields: Record<string, string>, bytes: Uint8Array<ArrayBuffer>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([bytes]), 'upload.bin');
  const response = await fetch(endpoint, { method: 'POST', body: form });
  const text = await response.text();
  return { status: response.status, text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
}

async function createBlob(api: RestClient, token: string, blob: Record<string, unknown>) {
  const response = await api.post('/blobs', { token, json: { blob } });
  expect(response.status).toBe(201);
  return response.body.blob;
}

/** The three steps: create, upload, complete. */
async function uploadBlob(
  api: RestClient,
  token: string,
  bytes: Uint8Array<ArrayBuffer>,
  blob: Record<string, unknown>,
) {
  const created = await createBlob(api, token, blob);
  const { endpoint, fields } = parseUploadParams(created.blob_object_access.params);
  expect((await postForm(endpoint, fields, bytes)).status).toBe(201);
  const completed = await api.put(`/blobs/${created.id}/complete`, { token, json: { blob: { size: bytes.length } } });
  expect(completed.status).toBe(200);
  return created;
}

async function download(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers, redirect: 'manual' });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** File names in a directory; none when it was never created. */
const filesIn = (dir: string) =>
  readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
const storedFiles = async (dataDir: string) =>
  (await filesIn(join(dataDir, 'blobs'))).filter((name) => name !== '.incoming');
const incomingFiles = (dataDir: string) => filesIn(join(dataDir, 'blobs', '.incoming'));

describe('with default limits', () => {
  let local: RunningLocalService;
  let api: RestClient;
  let owner: { id: number; token: string };
  let other: { id: number; token: string };
  let appToken: string;

  beforeAll(async () => {
    local = await startLocalService();
    api = restClient(local.url);
    owner = await userToken(local, 'blob_owner');
    other = await userToken(local, 'blob_other');
    appToken = await sessionsFor(api, local.application).applicationToken();
  });
  afterAll(() => local.close());

  describe('POST /blobs', () => {
    it('returns the blob with a Write access whose params is the signed upload form as a URL', async () => {
      const response = await api.post('/blobs.json', {
        token: owner.token,
        json: { blob: { content_type: 'text/plain; charset=utf-8', name: 'notes.txt', public: true } },
      });
      expect(response.status).toBe(201);
      const { blob } = response.body;
      expect(blob).toMatchObject({
        uid: expect.stringMatching(/^[0-9a-f]{32}$/),
        content_type: 'text/plain; charset=utf-8',
        name: 'notes.txt',
        size: null,
        public: true,
        blob_status: null,
        set_completed_at: null,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        blob_object_access: {
          id: blob.id,
          blob_id: blob.id,
          object_access_type: 'Write',
          expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        },
      });
      const expiresIn = Date.parse(blob.blob_object_access.expires) - Date.now();
      expect(expiresIn).toBeGreaterThan(3500_000);
      expect(expiresIn).toBeLessThanOrEqual(3600_000);
      const params: string = blob.blob_object_access.params;
      expect(params.startsWith(`${local.url}/blobs/upload?`)).toBe(true);
      // Spaces as %20: the SDKs decode with decodeURIComponent, which keeps a `+`.
      expect(params).not.toContain('+');
      const { fields } = parseUploadParams(params);
      expect(Object.keys(fields)).toEqual([
        'Content-Type',
        'Expires',
        'acl',
        'key',
        'success_action_status',
        'policy',
        'signature',
      ]);
      expect(fields).toMatchObject({
        'Content-Type': 'text/plain; charset=utf-8',
        acl: 'public-read',
        key: blob.uid,
        success_action_status: '201',
      });
    });

    it('accepts a form-encoded body and makes blobs private unless asked', async () => {
      const response = await api.post('/blobs', {
        token: owner.token,
        form: { blob: { content_type: 'image/png', name: 'a.png' } },
      });
      expect(response.status).toBe(201);
      expect(response.body.blob).toMatchObject({ public: false, content_type: 'image/png', name: 'a.png' });
      expect(parseUploadParams(response.body.blob.blob_object_access.params).fields.acl).toBe('private');
    });

    it('names every missing or invalid field', async () => {
      const missing = await api.post('/blobs', { token: owner.token, json: { blob: { public: true } } });
      expect(missing.status).toBe(422);
      expect(missing.body).toEqual({ errors: { content_type: ["can't be blank"], name: ["can't be blank"] } });
      const invalid = await api.post('/blobs', {
        token: owner.token,
        json: { blob: { content_type: 'text/html\r\nSet-Cookie: x=1', name: 'x'.repeat(101) } },
      });
      expect(invalid.status).toBe(422);
      expect(invalid.body).toEqual({
        errors: { content_type: ['is invalid'], name: ['is too long (maximum is 100 characters)'] },
      });
    });

    it('is refused to an application session (403) and to no session (401)', async () => {
      const blob = { content_type: 'image/png', name: 'a.png' };
      const asApp = await api.post('/blobs', { token: appToken, json: { blob } });
      expect(asApp.status).toBe(403);
      expect(asApp.body).toEqual({ errors: { base: ['Forbidden. Need user.'] } });
      expect((await api.post('/blobs', { json: { blob } })).status).toBe(401);
    });
  });

  describe('upload, complete and download', () => {
    it('round-trips a public blob, streamed to anyone without a token', async () => {
      const bytes = randomBytes(300 * 1024);
      const created = await createBlob(api, owner.token, {
        content_type: 'image/png',
        name: 'Pic ü "1".png',
        public: true,
      });
      const { endpoint, fields } = parseUploadParams(created.blob_object_access.params);
      const uploaded = await postForm(endpoint, fields, bytes);
      expect(uploaded.status).toBe(201);
      expect(uploaded.text).toContain(`<Key>${created.uid}</Key>`);
      expect(uploaded.text).toContain(`<ETag>"${createHash('md5').update(bytes).digest('hex')}"</ETag>`);

      const completed = await api.put(`/blobs/${created.id}/complete.json`, {
        token: owner.token,
        json: { blob: { size: bytes.length } },
      });
      expect(completed.status).toBe(200);
      const info = await api.get(`/blobs/${created.id}`, { token: owner.token });
      expect(info.body.blob).toMatchObject({
        size: bytes.length,
        blob_status: 'complete',
        set_completed_at: expect.stringMatching(/Z$/),
      });

      const file = await download(`${local.url}/blobs/${created.uid}`);
      expect(file.status).toBe(200);
      expect(sha256(file.bytes)).toBe(sha256(bytes));
      expect(file.headers.get('content-type')).toBe('image/png');
      expect(file.headers.get('content-length')).toBe(String(bytes.length));
      expect(file.headers.get('content-disposition')).toBe(
        `inline; filename="Pic _ _1_.png"; filename*=UTF-8''Pic%20%C3%BC%20%221%22.png`,
      );
      expect(file.headers.get('content-security-policy')).toBe('sandbox');
    });

    it('streams a private blob to any session of the application, by ?token= or CB-Token', async () => {
      const bytes = randomBytes(64 * 1024);
      const blob = await uploadBlob(api, owner.token, bytes, { content_type: 'application/pdf', name: 'p.pdf' });
      const url = `${local.url}/blobs/${blob.uid}`;

      const byQuery = await download(`${url}?token=${owner.token}`);
      expect(byQuery.status).toBe(200);
      expect(sha256(byQuery.bytes)).toBe(sha256(bytes));
      const byHeader = await download(url, { 'CB-Token': owner.token });
      expect(sha256(byHeader.bytes)).toBe(sha256(bytes));

      const anonymous = await download(url);
      expect(anonymous.status).toBe(401);
      expect(JSON.parse(Buffer.from(anonymous.bytes).toString())).toEqual({ errors: { base: ['Token is required'] } });
      // Private means "needs a token of this application", not "owner only" (storage.privateUrl).
      const byOther = await download(`${url}?token=${other.token}`);
      expect(byOther.status).toBe(200);
      expect(sha256(byOther.bytes)).toBe(sha256(bytes));
      expect((await download(`${url}?token=${appToken}`)).status).toBe(200);
      expect((await download(`${url}?token=not-a-session`)).status).toBe(401);
    });

    it('accepts the fields in any order and the file without a filename', async () => {
      const bytes = randomBytes(1000);
      const created = await createBlob(api, owner.token, { content_type: 'application/octet-stream', name: 'raw' });
      const { endpoint, fields } = parseUploadParams(created.blob_object_access.params);
      const form = new FormData();
      for (const name of Object.keys(fields).reverse()) form.append(name, fields[name]!);
      form.append('file', new Blob([bytes], { type: 'text/plain' }));
      expect((await fetch(endpoint, { method: 'POST', body: form })).status).toBe(201);
      expect(
        (await api.put(`/blobs/${created.id}/complete`, { token: owner.token, json: { size: bytes.length } })).status,
      ).toBe(200);
      const file = await download(`${local.url}/blobs/${created.uid}?token=${owner.token}`);
      expect(sha256(file.bytes)).toBe(sha256(bytes));
    });

    it('keeps an incomplete blob from being downloaded', async () => {
      const created = await createBlob(api, owner.token, { content_type: 'image/png', name: 'half.png', public: true });
      const { endpoint, fields } = parseUploadParams(created.blob_object_access.params);
      expect((await postForm(endpoint, fields, randomBytes(10))).status).toBe(201);
      expect((await download(`${local.url}/blobs/${created.uid}`)).status).toBe(404);
      expect((await download(`${local.url}/blobs/${created.uid}/download`)).status).toBe(404);
      const object = await api.get(`/blobs/${created.uid}/object`, { token: owner.token, query: { download_url: 1 } });
      expect(object.status).toBe(404);
    });

    it('completes only with the size that was uploaded, and only for the owner', async () => {
      const created = await createBlob(api, owner.token, { content_type: 'image/png', name: 'c.png' });
      const complete = (token: string, body: unknown) =>
        api.put(`/blobs/${created.id}/complete`, { token, json: body });

      const early = await complete(owner.token, { blob: { size: 10 } });
      expect(early.status).toBe(422);
      expect(early.body).toEqual({ errors: { base: ['The file has not been uploaded yet.'] } });

      const { endpoint, fields } = parseUploadParams(created.blob_object_access.params);
      expect((await postForm(endpoint, fields, randomBytes(10))).status).toBe(201);
      const wrong = await complete(owner.token, { blob: { size: 11 } });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toEqual({ errors: { size: ['does not match the size of the uploaded file'] } });
      expect((await complete(owner.token, { blob: {} })).body).toEqual({ errors: { size: ["can't be blank"] } });
      expect((await complete(owner.token, { blob: { size: 'ten' } })).body).toEqual({
        errors: { size: ['is not a number'] },
      });
      expect((await complete(other.token, { blob: { size: 10 } })).status).toBe(403);
      expect((await complete(appToken, { blob: { size: 10 } })).status).toBe(403);
      expect(
        (await api.put('/blobs/999999/complete', { token: owner.token, json: { blob: { size: 10 } } })).status,
      ).toBe(404);

      expect((await complete(owner.token, { blob: { size: 10 } })).status).toBe(200);
      // A completed blob's file is fixed: its upload URL no longer works.
      const again = await postForm(endpoint, fields, randomBytes(10));
      expect(again.status).toBe(403);
    });
  });

  describe('the upload form', () => {
    /** A fresh blob and its form; the tests then change one thing and expect a refusal. */
    async function freshForm() {
      const created = await createBlob(api, owner.token, { content_type: 'image/png', name: 't.png', public: false });
      return { created, ...parseUploadParams(created.blob_object_access.params) };
    }

    async function expectNothingStored(blob: { id: number }) {
      const complete = await api.put(`/blobs/${blob.id}/complete`, { token: owner.token, json: { blob: { size: 4 } } });
      expect(complete.body).toEqual({ errors: { base: ['The file has not been uploaded yet.'] } });
    }

    it.each([
      ['Content-Type', 'text/html', 'Upload form field Content-Type does not match the policy'],
      ['acl', 'public-read', 'Upload form field acl does not match the policy'],
      [
        'Expires',
        new Date(Date.now() + 86_400_000).toUTCString(),
        'Upload form field Expires does not match the policy',
      ],
      ['signature', 'A'.repeat(43), 'Upload form signature does not match'],
      [
        'policy',
        Buffer.from('{"expiration":"2999-01-01T00:00:00Z","conditions":[]}').toString('base64'),
        'Upload form signature does not match',
      ],
      ['success_action_status', '200', 'Upload form field success_action_status does not match the policy'],
      ['x-extra', '1', 'Upload form field x-extra is not allowed by the policy'],
    ])('refuses a form whose %s was changed', async (field, value, message) => {
      const { created, endpoint, fields } = await freshForm();
      const result = await postForm(endpoint, { ...fields, [field]: value }, Buffer.from('data'));
      expect(result.status).toBe(403);
      expect(result.body).toEqual({ errors: { base: [message] } });
      await expectNothingStored(created);
    });

    it('refuses an unsigned form', async () => {
      const { created, endpoint, fields } = await freshForm();
      const { signature: _signature, ...unsigned } = fields;
      const result = await postForm(endpoint, unsigned, Buffer.from('data'));
      expect(result.status).toBe(403);
      expect(result.body).toEqual({ errors: { base: ['Upload form is not signed'] } });
      await expectNothingStored(created);
    });

    it("refuses one blob's form replayed for another blob's uid", async () => {
      const first = await freshForm();
      const second = await freshForm();
      const onlyKey = await postForm(first.endpoint, { ...first.fields, key: second.created.uid }, Buffer.from('data'));
      expect(onlyKey.status).toBe(403);
      // The other blob's policy with this blob's signature does not pass either.
      const swapped = await postForm(
        first.endpoint,
        { ...second.fields, signature: first.fields.signature! },
        Buffer.from('data'),
      );
      expect(swapped.status).toBe(403);
      await expectNothingStored(first.created);
      await expectNothingStored(second.created);
    });

    it('answers 400 to a form without a file and to a body that is not multipart', async () => {
      const { endpoint, fields } = await freshForm();
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      const noFile = await fetch(endpoint, { method: 'POST', body: form });
      expect(noFile.status).toBe(400);
      expect(await noFile.json()).toEqual({ errors: { base: ['Upload form has no field "file"'] } });
      const json = await fetch(endpoint, {
        method: 'POST',
        body: JSON.stringify(fields),
        headers: { 'content-type': 'application/json' },
      });
      expect(json.status).toBe(400);
    });

    it('stores nothing for a deleted blob', async () => {
      const { created, endpoint, fields } = await freshForm();
      expect((await api.delete(`/blobs/${created.id}`, { token: owner.token })).status).toBe(200);
      expect((await postForm(endpoint, fields, Buffer.from('data'))).status).toBe(404);
      expect(await storedFiles(local.dataDir)).not.toContain(created.uid);
    });
  });

  describe('reading', () => {
    let publicBlob: any;
    let privateBlob: any;
    const publicBytes = randomBytes(2048);
    const privateBytes = randomBytes(4096);

    beforeAll(async () => {
      publicBlob = await uploadBlob(api, owner.token, publicBytes, {
        content_type: 'image/gif',
        name: 'pub.gif',
        public: true,
      });
      privateBlob = await uploadBlob(api, owner.token, privateBytes, { content_type: 'image/gif', name: 'priv.gif' });
    });

    it('gives info by numeric id to whoever may read the blob', async () => {
      const own = await api.get(`/blobs/${privateBlob.id}.json`, { token: owner.token });
      expect(own.status).toBe(200);
      expect(own.headers.get('cb-token-expirationdate')).toMatch(/ UTC$/);
      expect(own.body).toEqual({
        blob: {
          id: privateBlob.id,
          uid: privateBlob.uid,
          content_type: 'image/gif',
          name: 'priv.gif',
          size: privateBytes.length,
          public: false,
          created_at: privateBlob.created_at,
          updated_at: expect.stringMatching(/Z$/),
          blob_status: 'complete',
          set_completed_at: expect.stringMatching(/Z$/),
        },
      });
      expect((await api.get(`/blobs/${publicBlob.id}`, { token: other.token })).status).toBe(200);
      expect((await api.get(`/blobs/${publicBlob.id}`, { token: appToken })).status).toBe(200);
      expect((await api.get(`/blobs/${privateBlob.id}`, { token: other.token })).status).toBe(200);
      expect((await api.get(`/blobs/${privateBlob.id}`, { token: appToken })).status).toBe(200);
      expect((await api.get(`/blobs/${publicBlob.id}`)).status).toBe(401);
      expect((await api.get('/blobs/999999', { token: owner.token })).status).toBe(404);
    });

    it('answers /object with the info, and with a Read access when download_url is asked for', async () => {
      const plain = await api.get(`/blobs/${publicBlob.uid}/object`, { token: appToken });
      expect(plain.status).toBe(200);
      expect(plain.body.blob).toMatchObject({ id: publicBlob.id, uid: publicBlob.uid });
      expect(plain.body.blob.blob_object_access).toBeUndefined();

      const withUrl = await api.get(`/blobs/${publicBlob.uid}/object.json`, {
        token: other.token,
        query: { download_url: 1 },
      });
      expect(withUrl.body.blob.blob_object_access).toEqual({
        id: publicBlob.id,
        blob_id: publicBlob.id,
        expires: null,
        object_access_type: 'Read',
        params: `${local.url}/blobs/${publicBlob.uid}`,
        download_url: `${local.url}/blobs/${publicBlob.uid}`,
        dowload_url: `${local.url}/blobs/${publicBlob.uid}`,
      });
      expect((await api.get(`/blobs/${privateBlob.uid}/object`, { token: other.token })).status).toBe(200);
      expect((await api.get(`/blobs/${'0'.repeat(32)}/object`, { token: owner.token })).status).toBe(404);
    });

    it("gives a private blob's owner a signed download URL that works without a token and not when altered", async () => {
      const object = await api.get(`/blobs/${privateBlob.uid}/object`, {
        token: owner.token,
        query: { download_url: 1 },
      });
      const access = object.body.blob.blob_object_access;
      expect(access.object_access_type).toBe('Read');
      expect(access.download_url).not.toContain(owner.token);
      expect(Date.parse(access.expires)).toBeGreaterThan(Date.now());
      const file = await download(access.download_url);
      expect(file.status).toBe(200);
      expect(sha256(file.bytes)).toBe(sha256(privateBytes));

      const url = new URL(access.download_url);
      url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 60));
      expect((await download(url.toString())).status).toBe(401);
      // The signature is bound to its blob.
      const privateSecond = await uploadBlob(api, owner.token, randomBytes(8), {
        content_type: 'image/gif',
        name: 'p2.gif',
      });
      expect((await download(access.download_url.replace(privateBlob.uid, privateSecond.uid))).status).toBe(401);
    });

    it('redirects /download to the bytes', async () => {
      const publicRedirect = await download(`${local.url}/blobs/${publicBlob.uid}/download`);
      expect(publicRedirect.status).toBe(302);
      expect(publicRedirect.headers.get('location')).toBe(`${local.url}/blobs/${publicBlob.uid}`);

      expect((await download(`${local.url}/blobs/${privateBlob.uid}/download`)).status).toBe(401);
      expect((await download(`${local.url}/blobs/${privateBlob.uid}/download?token=${other.token}`)).status).toBe(302);
      const privateRedirect = await download(`${local.url}/blobs/${privateBlob.uid}/download?token=${owner.token}`);
      expect(privateRedirect.status).toBe(302);
      const location = privateRedirect.headers.get('location')!;
      expect(location).not.toContain(owner.token);
      const followed = await download(location);
      expect(sha256(followed.bytes)).toBe(sha256(privateBytes));
    });

    it('answers 404 for a uid nobody has', async () => {
      expect((await download(`${local.url}/blobs/${'a'.repeat(32)}`)).status).toBe(404);
      expect((await download(`${local.url}/blobs/not-a-uid`)).status).toBe(404);
    });
  });

  describe('list, rename and delete', () => {
    it("lists the current user's blobs, a page at a time", async () => {
      const lister = await userToken(local, 'blob_lister');
      const names = ['one.txt', 'two.txt', 'three.txt'];
      for (const name of names) await createBlob(api, lister.token, { content_type: 'text/plain', name });
      await createBlob(api, other.token, { content_type: 'text/plain', name: 'not-mine.txt' });

      const all = await api.get('/blobs.json', { token: lister.token });
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ current_page: 1, per_page: 10, total_entries: 3 });
      expect(all.body.items.map((item: any) => item.blob.name)).toEqual(names);

      const second = await api.get('/blobs', { token: lister.token, query: { page: 2, per_page: 2 } });
      expect(second.body).toMatchObject({ current_page: 2, per_page: 2, total_entries: 3 });
      expect(second.body.items.map((item: any) => item.blob.name)).toEqual(['three.txt']);
      expect(second.body.items[0].blob).toMatchObject({ uid: expect.any(String), blob_status: null });

      const capped = await api.get('/blobs', { token: lister.token, query: { per_page: 1000, page: 'x' } });
      expect(capped.body).toMatchObject({ current_page: 1, per_page: 100 });
      expect((await api.get('/blobs', { token: appToken })).status).toBe(403);
    });

    it('renames for the owner only', async () => {
      const bytes = randomBytes(16);
      const blob = await uploadBlob(api, owner.token, bytes, {
        content_type: 'text/plain',
        name: 'old.txt',
        public: true,
      });
      const renamed = await api.put(`/blobs/${blob.id}.json`, {
        token: owner.token,
        json: { blob: { name: 'new.txt' } },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.blob).toMatchObject({ id: blob.id, name: 'new.txt', size: 16 });
      const file = await download(`${local.url}/blobs/${blob.uid}`);
      expect(file.headers.get('content-disposition')).toContain('filename="new.txt"');

      const blank = await api.put(`/blobs/${blob.id}`, { token: owner.token, json: { blob: { name: ' ' } } });
      expect(blank.status).toBe(422);
      expect(blank.body).toEqual({ errors: { name: ["can't be blank"] } });
      expect((await api.put(`/blobs/${blob.id}`, { token: other.token, json: { blob: { name: 'x' } } })).status).toBe(
        403,
      );
      expect((await api.put(`/blobs/${blob.id}`, { token: appToken, json: { blob: { name: 'x' } } })).status).toBe(403);
      expect((await api.put('/blobs/999999', { token: owner.token, json: { blob: { name: 'x' } } })).status).toBe(404);
      expect((await api.get(`/blobs/${blob.id}`, { token: owner.token })).body.blob.name).toBe('new.txt');
    });

    it('deletes row and file for the owner only', async () => {
      const blob = await uploadBlob(api, owner.token, randomBytes(32), {
        content_type: 'text/plain',
        name: 'gone.txt',
        public: true,
      });
      expect(await storedFiles(local.dataDir)).toContain(blob.uid);

      const byOther = await api.delete(`/blobs/${blob.id}`, { token: other.token });
      expect(byOther.status).toBe(403);
      expect((await api.delete(`/blobs/${blob.id}`, { token: appToken })).status).toBe(403);
      expect((await download(`${local.url}/blobs/${blob.uid}`)).status).toBe(200);

      const deleted = await api.delete(`/blobs/${blob.id}.json`, { token: owner.token });
      expect(deleted.status).toBe(200);
      expect((await api.get(`/blobs/${blob.id}`, { token: owner.token })).status).toBe(404);
      expect((await download(`${local.url}/blobs/${blob.uid}`)).status).toBe(404);
      expect(await storedFiles(local.dataDir)).not.toContain(blob.uid);
      expect((await api.delete(`/blobs/${blob.id}`, { token: owner.token })).status).toBe(404);
    });
  });

  it("removes a user's files when the account is deleted, and sweeps files whose rows are gone", async () => {
    const { files } = local.service.deps.blobs;
    const leaving = await userToken(local, 'blob_leaving');
    const kept = await uploadBlob(api, owner.token, randomBytes(8), { content_type: 'text/plain', name: 'kept' });
    const first = await uploadBlob(api, leaving.token, randomBytes(8), { content_type: 'text/plain', name: 'a' });
    expect((await api.delete(`/users/${leaving.id}`, { token: leaving.token })).status).toBe(200);
    expect(await storedFiles(local.dataDir)).not.toContain(first.uid);
    expect(await storedFiles(local.dataDir)).toContain(kept.uid);

    // A user deleted without it (an expired guest): the rows go by cascade, the sweep takes the files.
    const guest = await userToken(local, 'blob_guest');
    const orphan = await uploadBlob(api, guest.token, randomBytes(8), { content_type: 'text/plain', name: 'b' });
    await local.service.deps.users.delete(guest.id);
    expect(await storedFiles(local.dataDir)).toContain(orphan.uid);
    expect(await files.sweepOrphans()).toBeGreaterThanOrEqual(1);
    expect(await storedFiles(local.dataDir)).not.toContain(orphan.uid);
    expect(await storedFiles(local.dataDir)).toContain(kept.uid);
  });
});

describe('limits', () => {
  it('refuses an upload URL after it expires', async () => {
    const local = await startLocalService({ uploadUrlTtlSeconds: 1 });
    try {
      const api = restClient(local.url);
      const { token } = await userToken(local, 'blob_late');
      const created = await createBlob(api, token, { content_type: 'image/png', name: 'late.png' });
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const { endpoint, fields } = parseUploadParams(created.blob_object_access.params);
      const late = await postForm(endpoint, fields, randomBytes(10));
      expect(late.status).toBe(403);
      expect(late.body).toEqual({ errors: { base: ['Upload URL has expired'] } });
      expect(await storedFiles(local.dataDir)).toEqual([]);
    } finally {
      await local.close();
    }
  });

  describe('over the size limit', () => {
    const maxBlobBytes = 1024;
    let local: RunningLocalService;
    let api: RestClient;
    let token: string;

    beforeAll(async () => {
      local = await startLocalService({ maxBlobBytes });
      api = restClient(local.url);
      token = (await userToken(local, 'blob_big')).token;
    });
    afterAll(() => local.close());

    async function form() {
      const created = await createBlob(api, token, { content_type: 'application/octet-stream', name: 'big.bin' });
      return { created, ...parseUploadParams(created.blob_object_access.params) };
    }

    const tooLarge = { errors: { base: [`File is too large (maximum is ${maxBlobBytes} bytes)`] } };

    it('accepts exactly the limit', async () => {
      const { endpoint, fields } = await form();
      expect((await postForm(endpoint, fields, randomBytes(maxBlobBytes))).status).toBe(201);
    });

    it('refuses one byte more, keeping no file', async () => {
      const { created, endpoint, fields } = await form();
      const result = await postForm(endpoint, fields, randomBytes(maxBlobBytes + 1));
      expect(result.status).toBe(413);
      expect(result.body).toEqual(tooLarge);
      expect(await storedFiles(local.dataDir)).not.toContain(created.uid);
      expect(await incomingFiles(local.dataDir)).toEqual([]);
    });

    it('refuses a declared oversize body before reading it', async () => {
      const { created, endpoint, fields } = await form();
      const result = await postForm(endpoint, fields, randomBytes(512 * 1024));
      expect(result.status).toBe(413);
      expect(result.body).toEqual(tooLarge);
      expect(await storedFiles(local.dataDir)).not.toContain(created.uid);
    });

    it('refuses an oversize body sent without a length (chunked), keeping no file', async () => {
      const { created, endpoint, fields } = await form();
      const boundary = 'blob-test-boundary';
      const encoder = new TextEncoder();
      const head = Object.entries(fields)
        .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
        .join('');
      const parts = [
        encoder.encode(
          `${head}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`,
        ),
        randomBytes(256 * 1024),
        encoder.encode(`\r\n--${boundary}--\r\n`),
      ];
      const body = new ReadableStream({
        start(controller) {
          for (const part of parts) controller.enqueue(part);
          controller.close();
        },
      });
      const response = await fetch(endpoint, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual(tooLarge);
      expect(await storedFiles(local.dataDir)).not.toContain(created.uid);
      expect(await incomingFiles(local.dataDir)).toEqual([]);
      // The connection stayed usable: the next request is answered.
      expect((await api.get('/blobs', { token })).status).toBe(200);
    });
  });
});

it('keeps blobs, and upload URLs issued before, across a restart', async () => {
  const dataDir = await freshDataDir();
  const database = storeUnderTest === 'postgres' ? await createTestDatabase() : undefined;
  const store = { dataDir, ...(database && { databaseUrl: database.url }) };
  try {
    const first = await startLocalService(store);
    let api = restClient(first.url);
    const { token } = await userToken(first, 'blob_survivor');
    const bytes = randomBytes(20_000);
    const kept = await uploadBlob(api, token, bytes, { content_type: 'image/jpeg', name: 'kept.jpg' });
    const pending = await createBlob(api, token, { content_type: 'image/jpeg', name: 'later.jpg', public: true });
    await first.close();

    const second = await startLocalService(store);
    try {
      api = restClient(second.url);
      const file = await download(`${second.url}/blobs/${kept.uid}?token=${token}`);
      expect(file.status).toBe(200);
      expect(sha256(file.bytes)).toBe(sha256(bytes));

      // The URL names the first service's port; its path and fields are what count.
      const { endpoint, fields } = parseUploadParams(pending.blob_object_access.params);
      const laterBytes = randomBytes(5000);
      const uploaded = await postForm(`${second.url}${new URL(endpoint).pathname}`, fields, laterBytes);
      expect(uploaded.status).toBe(201);
      const completed = await api.put(`/blobs/${pending.id}/complete`, {
        token,
        json: { blob: { size: laterBytes.length } },
      });
      expect(completed.status).toBe(200);
      expect(sha256((await download(`${second.url}/blobs/${pending.uid}`)).bytes)).toBe(sha256(laterBytes));
    } finally {
      await second.close();
    }
  } finally {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
