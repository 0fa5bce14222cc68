import { createHash, createHmac, randomBytes } from 'node:crypto';
import sdkModule from 'connectycube';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';

// The official JS SDK beyond the happy path (issue 12): what ConnectyCube's guides and the
// Flutter SDK do, against the local service.
const ConnectyCube = ('default' in sdkModule ? sdkModule.default : sdkModule) as typeof sdkModule.default;

let local: RunningLocalService;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const logins = (items: { login: string | null }[]) => items.map((user) => user.login);

beforeAll(async () => {
  local = await startLocalService();
  ConnectyCube.init(
    { appId: local.application.id, authKey: local.application.authKey },
    { endpoints: { api_url: local.url } as never, debug: { mode: 0 } },
  );
  await ConnectyCube.createSession();
  for (const [login, fullName] of [
    ['owner_one', 'Owner One'],
    ['reader_two', 'Reader Two'],
    ['third_three', 'Third Three'],
  ]) {
    await ConnectyCube.users.signup({ login, password: `${login}-pass`, full_name: fullName } as never);
  }
});
afterAll(() => local.close());

it("lets a second user display the first user's private avatar through storage.privateUrl", async () => {
  await ConnectyCube.createSession({ login: 'owner_one', password: 'owner_one-pass' });
  const bytes = randomBytes(20 * 1024);
  const avatar = await ConnectyCube.storage.createAndUpload({
    name: 'avatar.png',
    file: bytes,
    type: 'image/png',
    size: bytes.length,
    public: false,
  });
  await ConnectyCube.users.update({ avatar: avatar.uid } as never);

  await ConnectyCube.createSession({ login: 'reader_two', password: 'reader_two-pass' });
  const [owner] = (await ConnectyCube.users.getV2({ login: 'owner_one' } as never)).items;
  expect(owner?.avatar).toBe(avatar.uid);
  const shown = await fetch(ConnectyCube.storage.privateUrl(owner?.avatar ?? ''));
  expect(shown.status).toBe(200);
  expect(sha256(new Uint8Array(await shown.arrayBuffer()))).toBe(sha256(bytes));
  // Writes stay the owner's.
  await expect(ConnectyCube.storage.delete(avatar.id)).rejects.toBeTruthy();
  expect((await ConnectyCube.storage.getInfo(avatar.id)).blob.uid).toBe(avatar.uid);
});

it('searches with users.getV2 using every documented operator', async () => {
  const all = await ConnectyCube.users.getV2({ login: { in: ['owner_one', 'reader_two', 'third_three'] } } as never);
  expect(logins(all.items)).toEqual(['owner_one', 'reader_two', 'third_three']);
  const [one, two, three] = all.items as unknown as [{ id: number }, { id: number }, { id: number }];
  const cases: [Record<string, unknown>, string[]][] = [
    [{ id: two.id }, ['reader_two']],
    [{ id: { in: [one.id, three.id] } }, ['owner_one', 'third_three']],
    [{ full_name: { start_with: 'Read' } }, ['reader_two']],
    [{ login: { in: ['owner_one', 'reader_two'] }, id: { nin: [one.id] } }, ['reader_two']],
    [{ id: { in: [one.id, two.id] }, created_at: { gt: '2001-01-01T00:00:00Z' } }, ['owner_one', 'reader_two']],
    [{ id: { in: [one.id, two.id] }, created_at: { lt: '2001-01-01T00:00:00Z' } }, []],
    [{ id: { in: [one.id] }, updated_at: { gte: Math.floor(Date.now() / 1000) - 3600 } }, ['owner_one']],
    [{ id: { in: [one.id] }, updated_at: { lte: 978307200 } }, []],
  ];
  for (const [params, expected] of cases) {
    const found = await ConnectyCube.users.getV2(params as never);
    expect(logins(found.items), JSON.stringify(params)).toEqual(expected);
  }
});

it('lists users with users.get and every v1 filter form of the users page', async () => {
  const ids = (await ConnectyCube.users.getV2({ full_name: { start_with: 'Owne' } } as never)).items.map((u) => u.id);
  const first = ids[0] ?? 0;
  const mine = (items: unknown) =>
    (items as { user: { login: string } }[])
      .map((item) => item.user.login)
      .filter((login) => ['owner_one', 'reader_two', 'third_three'].includes(login));
  const cases: [Record<string, unknown>, string[]][] = [
    [{ field: 'id', param: 'gt', value: first }, ['reader_two', 'third_three']],
    [{ field: 'id', param: 'ge', value: first }, ['owner_one', 'reader_two', 'third_three']],
    [{ field: 'id', param: 'lt', value: first + 1 }, ['owner_one']],
    [{ field: 'id', param: 'le', value: first }, ['owner_one']],
    [{ field: 'id', param: 'eq', value: first }, ['owner_one']],
    [{ field: 'id', param: 'ne', value: first }, ['reader_two', 'third_three']],
    [{ field: 'id', param: 'between', value: [first, first + 1] }, ['owner_one', 'reader_two']],
    [{ field: 'id', param: 'in', value: [first, first + 2] }, ['owner_one', 'third_three']],
    [{ field: 'created_at', param: 'gt', value: '2001.01.01' }, ['owner_one', 'reader_two', 'third_three']],
    [{ field: 'created_at', param: 'lt', value: '2001-01-01' }, []],
  ];
  for (const [filter, expected] of cases) {
    const listed = await ConnectyCube.users.get({ filter, per_page: 100 });
    expect(mine((listed as { items: unknown }).items), JSON.stringify(filter)).toEqual(expected);
  }
  const ordered = await ConnectyCube.users.get({ order: { field: 'full_name', sort: 'desc' }, per_page: 100 });
  expect(mine((ordered as { items: unknown }).items)).toEqual(['third_three', 'reader_two', 'owner_one']);
});

it('takes a session signed the Flutter way, from flat parameters with a nonce above 2^31', async () => {
  // The Flutter SDK's CreateSessionQuery: flat keys (`user[login]`), sorted, joined with &,
  // HMAC-SHA1 with the auth secret; the body then nests `user` as JSON.
  const nonce = 4_000_000_123;
  const flat: Record<string, string> = {
    application_id: String(local.application.id),
    auth_key: local.application.authKey,
    nonce: String(nonce),
    timestamp: String(Math.floor(Date.now() / 1000)),
    'user[login]': 'third_three',
    'user[password]': 'third_three-pass',
  };
  const signString = Object.keys(flat)
    .sort()
    .map((key) => `${key}=${flat[key]}`)
    .join('&');
  const signature = createHmac('sha1', local.application.authSecret).update(signString).digest('hex');
  const { 'user[login]': login, 'user[password]': password, ...top } = flat;
  const response = await fetch(`${local.url}/session.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CB-SDK': 'Flutter 2.0.0' },
    body: JSON.stringify({ ...top, user: { login, password }, signature }),
  });
  expect(response.status).toBe(201);
  const { session } = await response.json();
  expect(session.nonce).toBe(nonce);

  ConnectyCube.setSession(session);
  expect((await ConnectyCube.getSession()).user?.login).toBe('third_three');
});

it('lists, reads, gets the download URL of and deletes files with storage.*', async () => {
  await ConnectyCube.createSession({ login: 'owner_one', password: 'owner_one-pass' });
  const bytes = randomBytes(4096);
  const file = await ConnectyCube.storage.createAndUpload({
    name: 'notes.txt',
    file: bytes,
    type: 'text/plain',
    size: bytes.length,
    public: false,
  });
  const listed = await ConnectyCube.storage.list({ per_page: 100 } as never);
  const names = (listed.items as unknown as { blob: { name: string } }[]).map((item) => item.blob.name);
  expect(names).toEqual(expect.arrayContaining(['avatar.png', 'notes.txt']));

  const info = await ConnectyCube.storage.getInfo(file.id);
  expect(info.blob).toMatchObject({ id: file.id, uid: file.uid, name: 'notes.txt', size: bytes.length });

  const object = await ConnectyCube.storage.getFileObject(file.uid ?? '', { download_url: '1' });
  const url = object.blob.blob_object_access?.download_url ?? '';
  const downloaded = await fetch(url);
  expect(downloaded.status).toBe(200);
  expect(sha256(new Uint8Array(await downloaded.arrayBuffer()))).toBe(sha256(bytes));

  await ConnectyCube.storage.delete(file.id);
  await expect(ConnectyCube.storage.getInfo(file.id)).rejects.toBeTruthy();
});
