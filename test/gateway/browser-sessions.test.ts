import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_BYTES } from '../files/fixtures.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { postFile } from '../support/uploads.ts';
import { PASSWORD, userWithToken } from '../support/users.ts';

// Cookie sessions as a browser lives them: headless Chromium on a page of an allowed origin
// (another port of the same host: same site, other origin) and on a page of an origin that
// is not allowed, against a gateway with SESSION_COOKIE=1.

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.log(
    `SKIPPED browser cookie-session tests: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

/** A web page origin of its own: every path answers the same small HTML page. */
async function servePage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>page</title><body>page</body>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const LOGIN = `mutation { login(input: { login: "browser_ada", password: "${PASSWORD}" }) { __typename ... on LoginSuccess { session { token kind } } } }`;

let gw: RunningGateway;
let app: { origin: string; server: Server };
let evil: { origin: string; server: Server };
let browser: Browser;
let context: BrowserContext;
let bearer: string;
let privateFileUid: string;

describe.runIf(hasChromium)('browser cookie sessions in headless Chromium', () => {
  beforeAll(async () => {
    app = await servePage();
    evil = await servePage();
    gw = await startGateway({ env: { SESSION_COOKIE: '1', CORS_ORIGINS: app.origin } });
    ({ token: bearer } = await userWithToken(gw.local, 'browser_ada', { full_name: 'Ada' }));
    const png = () => new Blob([PNG_BYTES], { type: 'image/png' });
    const avatar = await postFile(
      gw,
      bearer,
      'mutation($input: SetAvatarInput!) { setAvatar(input: $input) { __typename } }',
      {},
      png(),
      'me.png',
    );
    expect(avatar.body.data.setAvatar.__typename).toBe('SetAvatarSuccess');
    const file = await postFile(
      gw,
      bearer,
      'mutation($input: UploadFileInput!) { uploadFile(input: $input) { ... on UploadFileSuccess { file { uid isPublic } } } }',
      { isPublic: false },
      png(),
      'private.png',
    );
    expect(file.body.data.uploadFile.file.isPublic).toBe(false);
    privateFileUid = file.body.data.uploadFile.file.uid;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-quic'],
    });
    context = await browser.newContext();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    app?.server.close();
    evil?.server.close();
  });

  /** A GraphQL POST from the page's own script, with the browser's cookies (`credentials: 'include'`). */
  function gqlFrom(page: Page, query: string): Promise<any> {
    return page.evaluate(
      async ({ url, query }) => {
        try {
          const res = await fetch(url, {
            method: 'POST',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          });
          return await res.json();
        } catch (err) {
          return { blocked: String(err) };
        }
      },
      { url: `${gw.url}/graphql`, query },
    );
  }

  /** Resolves with the natural width of an `<img>` the page adds for `src` (0 when it failed). */
  function imageWidth(page: Page, src: string): Promise<number> {
    return page.evaluate(
      (src) =>
        new Promise<number>((resolve) => {
          const img = document.createElement('img');
          img.onload = () => resolve(img.naturalWidth);
          img.onerror = () => resolve(0);
          img.src = src;
          document.body.append(img);
        }),
      src,
    );
  }

  const sessionCookie = async () => (await context.cookies(gw.url)).find((c) => c.name === 'cube_session');

  it('logs in on an allowed origin, stays signed in across a reload, subscribes, shows images, and logs out', async () => {
    const page = await context.newPage();
    try {
      await page.goto(app.origin);
      const login = await gqlFrom(page, LOGIN);
      expect(login.data.login).toEqual({ __typename: 'LoginSuccess', session: { token: '', kind: 'USER' } });
      expect(await sessionCookie()).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

      await page.reload();
      const me = await gqlFrom(page, `{ me { login avatarUrl } file(uid: "${privateFileUid}") { url } }`);
      expect(me.data.me.login).toBe('browser_ada');

      // A subscription over WebSocket, authenticated by the cookie of the upgrade alone.
      const first = await page.evaluate(
        (url) =>
          new Promise<string>((resolve, reject) => {
            const socket = new WebSocket(url, 'graphql-transport-ws');
            socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init' }));
            socket.onmessage = (event) => {
              const message = JSON.parse(String(event.data));
              if (message.type === 'connection_ack') {
                socket.send(
                  JSON.stringify({
                    id: '1',
                    type: 'subscribe',
                    payload: { query: 'subscription { sessionEvents { type } }' },
                  }),
                );
              } else if (message.type === 'next') {
                resolve(message.payload.data.sessionEvents.type);
                socket.close();
              }
            };
            socket.onclose = (event) => reject(new Error(`closed ${event.code} ${event.reason}`));
          }),
        `${gw.url.replace(/^http/, 'ws')}/graphql`,
      );
      expect(first).toBe('EXTENDED');

      // The avatar and a private file's signed URL load in <img> tags.
      expect(await imageWidth(page, me.data.me.avatarUrl)).toBeGreaterThan(0);
      expect(me.data.file.url).toContain('/files/');
      expect(await imageWidth(page, me.data.file.url)).toBeGreaterThan(0);

      const logout = await gqlFrom(page, 'mutation { logout { __typename } }');
      expect(logout.data.logout.__typename).toBe('LogoutSuccess');
      expect(await sessionCookie()).toBeUndefined();
      expect((await gqlFrom(page, '{ me { login } }')).data.me).toBeNull();
    } finally {
      await page.close();
    }
  });

  it('a page on another origin can neither read `me` nor change anything with a form post', async () => {
    const page = await context.newPage();
    try {
      await page.goto(app.origin);
      expect((await gqlFrom(page, LOGIN)).data.login.__typename).toBe('LoginSuccess');
      expect(await sessionCookie()).toBeDefined();

      await page.goto(evil.origin);
      const read = await gqlFrom(page, '{ me { login email } }');
      expect(read.blocked).toMatch(/Failed to fetch/);

      // A plain HTML form: no preflight, and the browser sends the (same-site) cookie along.
      await page.setContent(`<form method="POST" action="${gw.url}/graphql" enctype="application/x-www-form-urlencoded">
        <input name="query" value='mutation { updateMe(input: { fullName: "Pwned" }) { __typename } }'>
      </form>`);
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.evaluate(() => (document.querySelector('form') as HTMLFormElement).submit()),
      ]);
      expect(response?.status()).toBe(403);
      expect(await response?.text()).toContain('FORBIDDEN_ORIGIN');

      const me = await gw.gql('{ me { fullName } }', {}, { token: bearer });
      expect(me.data.me.fullName).toBe('Ada');
    } finally {
      await page.close();
    }
  });

  it("GraphiQL's own login keeps it signed in across reloads", async () => {
    const page = await context.newPage();
    /** Opens GraphiQL with `query`, runs it, and answers the result pane's text once it shows `expected`. */
    const run = async (query: string, expected: string) => {
      await page.goto(`${gw.url}/graphql?query=${encodeURIComponent(query)}`);
      await page.locator('.graphiql-execute-button').click();
      const result = page.locator('.result-window');
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property
      await expect.poll(async () => (await result.innerText()).includes(expected), { timeout: 15_000 }).toBe(true);
    };
    try {
      await run(LOGIN, 'LoginSuccess');
      expect(await sessionCookie()).toBeDefined();
      await run('query { me { login } }', 'browser_ada');
    } finally {
      await page.close();
    }
  }, 60_000);
});
