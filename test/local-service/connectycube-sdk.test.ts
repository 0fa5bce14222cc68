import { createHash, randomBytes } from 'node:crypto';
import sdkModule from 'connectycube';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningLocalService, startLocalService } from '../support/local-service.ts';

// The SDK's type declarations are CommonJS-shaped while Node loads its ES module build,
// so the default export is the SDK itself at run time and `.default` to the type checker.
const ConnectyCube = ('default' in sdkModule ? sdkModule.default : sdkModule) as typeof sdkModule.default;

// The official SDK, pointed at the local service, must work unchanged.
let local: RunningLocalService;

beforeAll(async () => {
  local = await startLocalService();
  ConnectyCube.init(
    { appId: local.application.id, authKey: local.application.authKey },
    { endpoints: { api_url: local.url } as never, debug: { mode: 0 } },
  );
});
afterAll(() => local.close());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

it('drives sessions, sign-up, login, profile, search, files, logout and destroy through the connectycube SDK', async () => {
  const appSession = await ConnectyCube.createSession();
  expect(appSession.token).toMatch(/^[0-9a-f]{40}$/);
  expect(appSession.user_id).toBe(0);

  const signedUp = await ConnectyCube.users.signup({
    login: 'sdk_user',
    password: 'sdk-password-1',
    email: 'sdk@example.test',
    full_name: 'Sdk User',
    tag_list: ['alpha', 'beta'],
  } as never);
  expect(signedUp.user).toMatchObject({ login: 'sdk_user', email: 'sdk@example.test', user_tags: 'alpha,beta' });

  const userSession = await ConnectyCube.createSession({ login: 'sdk_user', password: 'sdk-password-1' });
  expect(userSession.user_id).toBe(signedUp.user.id);
  expect((await ConnectyCube.getSession()).user_id).toBe(signedUp.user.id);

  const updated = await ConnectyCube.users.update({
    full_name: 'Sdk Renamed',
    website: 'https://example.test',
  } as never);
  expect(updated.user).toMatchObject({
    id: signedUp.user.id,
    full_name: 'Sdk Renamed',
    website: 'https://example.test',
  });

  const found = await ConnectyCube.users.getV2({ login: 'sdk_user' } as never);
  expect(found.total_entries).toBe(1);
  expect(found.items[0]).toMatchObject({ id: signedUp.user.id, full_name: 'Sdk Renamed' });

  const bytes = randomBytes(256 * 1024);
  const blob = await ConnectyCube.storage.createAndUpload({
    name: 'sdk.bin',
    file: bytes,
    type: 'application/octet-stream',
    size: bytes.length,
    public: false,
  });
  expect(blob).toMatchObject({ name: 'sdk.bin', size: bytes.length });
  const download = await fetch(ConnectyCube.storage.privateUrl(blob.uid));
  expect(download.status).toBe(200);
  expect(sha256(new Uint8Array(await download.arrayBuffer()))).toBe(sha256(bytes));

  await ConnectyCube.logout();
  const afterLogout = await ConnectyCube.getSession();
  expect(afterLogout.user_id).toBe(0);

  await ConnectyCube.destroySession();
  const dead = await fetch(`${local.url}/session.json`, { headers: { 'CB-Token': userSession.token } });
  expect(dead.status).toBe(401);
});
