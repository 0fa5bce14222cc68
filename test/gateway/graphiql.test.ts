import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

// A person's view: headless Chromium opens GraphiQL, runs operations and reads the results.
// Every asset comes from the gateway (this machine has no route to a CDN).

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.log(
    `SKIPPED GraphiQL browser tests: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

let gw: RunningGateway;
let browser: Browser;
describe.runIf(hasChromium)('GraphiQL in headless Chromium', () => {
  beforeAll(async () => {
    gw = await startGateway();
    await insertUser(gw.local, 'ada', { full_name: 'Ada Lovelace' });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  async function openGraphiQL(query?: string): Promise<{ page: Page; failed: string[] }> {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(`${gw.url}/graphql${query ? `?query=${encodeURIComponent(query)}` : ''}`, { timeout: 20_000 });
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
    return { page, failed };
  }

  /**
   * Waits until GraphiQL holds `text` as the active tab's query or headers (it stores the tab
   * once an edit has settled). The run button runs what GraphiQL holds: clicked before a
   * slow machine settles the edit, it would run, or offer to pick from, the text before it.
   */
  async function heldByGraphiQL(page: Page, field: 'query' | 'headers', text: string): Promise<void> {
    const held = async () => {
      const state = JSON.parse((await page.evaluate(() => localStorage.getItem('graphiql:tabState'))) ?? '{}') as {
        tabs?: Record<string, string | null>[];
        activeTabIndex?: number;
      };
      return state.tabs?.[state.activeTabIndex ?? 0]?.[field] ?? '';
    };
    await expect.poll(held, { timeout: 15_000 }).toBe(text);
  }

  /** Clicks the run button and reads the JSON the result pane shows once it contains `expected`. */
  async function execute(page: Page, expected = '"data"'): Promise<unknown> {
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    // Chromium shares two cores with the rest of the suite: a result can take a while to show.
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property
    await expect.poll(async () => await result.innerText(), { timeout: 30_000 }).toContain(expected);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property
    const text = (await result.innerText()).replace(/\u00a0/g, ' ');
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
  }

  it('opens with the example operations and a headers tab showing where the token goes', async () => {
    const { page, failed } = await openGraphiQL();
    try {
      // The editors draw only visible lines; GraphiQL keeps the whole query in its tab state,
      // which it writes a moment after start.
      const tabState = () => page.evaluate(() => localStorage.getItem('graphiql:tabState') ?? '');
      await expect.poll(tabState, { timeout: 15_000 }).toContain('mutation Login');
      expect(await tabState()).toContain('query Me');
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property
      const headers = async () => (await page.locator('.graphiql-editor-tool').innerText()).replace(/\u00a0/g, ' ');
      await expect.poll(headers, { timeout: 15_000 }).toContain('"Authorization": "Bearer "');
      expect(failed).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('runs a login, then a query with the token typed into the headers tab', async () => {
    const { page, failed } = await openGraphiQL(
      `mutation { login(input: { login: "ada", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token kind } } } }`,
    );
    try {
      const login = (await execute(page, '"login"')) as {
        data: { login: { session: { token: string; kind: string } } };
      };
      expect(login.data.login.session.kind).toBe('USER');
      const { token } = login.data.login.session;

      // Replace the headers with the token, then the query, and run it.
      const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
      await headers.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
      const query = page.locator('.graphiql-query-editor .graphiql-editor, .graphiql-query-editor').first();
      await query.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('{ me { login fullName } session { kind } }');
      await heldByGraphiQL(page, 'headers', JSON.stringify({ Authorization: `Bearer ${token}` }));
      await heldByGraphiQL(page, 'query', '{ me { login fullName } session { kind } }');
      const me = await execute(page, '"me"');
      expect(me).toEqual({ data: { me: { login: 'ada', fullName: 'Ada Lovelace' }, session: { kind: 'USER' } } });
      await page.screenshot({ path: 'test/.tmp/graphiql.png' });
      expect(failed).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);
  it('keeps its one tab and the token in the headers across reloads', async () => {
    const login = await gw.gql(
      `mutation { login(input: { login: "ada", password: "${PASSWORD}" }) { ... on LoginSuccess { session { token } } } }`,
    );
    const { token } = login.data.login.session;
    const { page, failed } = await openGraphiQL();
    try {
      const state = async () =>
        JSON.parse((await page.evaluate(() => localStorage.getItem('graphiql:tabState'))) ?? '{"tabs":[]}') as {
          tabs: { query: string | null; headers: string | null }[];
        };
      await expect.poll(async () => (await state()).tabs[0]?.query ?? '', { timeout: 15_000 }).toContain('query Me');
      const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
      await headers.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));
      await expect.poll(async () => (await state()).tabs[0]?.headers ?? '', { timeout: 15_000 }).toContain(token);

      for (let reload = 1; reload <= 2; reload++) {
        await page.reload({ timeout: 20_000 });
        // Requests the reload cut short are not failures.
        failed.length = 0;
        await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
        // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property
        const shown = async () => (await page.locator('.graphiql-editor-tool').innerText()).replace(/\u00a0/g, ' ');
        await expect.poll(shown, { timeout: 15_000 }).toContain(token);
        const { tabs } = await state();
        expect(tabs, `after reload ${reload}`).toHaveLength(1);
        expect(tabs[0]?.query).toContain('query Me');
      }
      // The restored header is really sent.
      const query = page.locator('.graphiql-query-editor .graphiql-editor, .graphiql-query-editor').first();
      await query.click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText('{ me { login } }');
      await heldByGraphiQL(page, 'query', '{ me { login } }');
      expect(await execute(page, '"me"')).toEqual({ data: { me: { login: 'ada' } } });
      expect(failed).toEqual([]);
    } finally {
      await page.close();
    }
  }, 90_000);
});
