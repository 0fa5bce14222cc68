import type { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/**
 * What GraphiQL opens with (its own account, apart from the README's curl examples, so that
 * running one never makes the other fail with "already taken"): an example operation and a headers tab that shows where the
 * token goes. `Bearer ` with nothing after it counts as no token, so the examples run as-is.
 */
export const graphiqlDefaultQuery = `# Welcome to cube-gateway.
#
# 1. Run "CreateAccount" (or "Login") below: no token is needed.
# 2. Copy session.token from the result into the Headers tab, after "Bearer ".
# 3. Run "Me" and "FindUsers": they send that token.

mutation CreateAccount {
  signUp(input: { login: "grace_hopper", email: "grace@example.net", password: "cobol is fine", fullName: "Grace Hopper", logIn: true }) {
    __typename
    ... on SignUpSuccess { user { id login } session { token expiresAt } }
    ... on Error { code message }
  }
}

mutation Login {
  login(input: { login: "grace_hopper", password: "cobol is fine" }) {
    __typename
    ... on LoginSuccess { session { token kind expiresAt user { login } } }
    ... on Error { code message }
  }
}

query Me {
  me { id databaseId login email fullName tags createdAt }
  session { kind expiresAt }
}

query FindUsers {
  users(filter: { logins: ["grace_hopper"] }, first: 10) {
    totalCount
    nodes { id login fullName }
    pageInfo { hasNextPage endCursor }
  }
}
`;

export const graphiqlHeaders = JSON.stringify({ Authorization: 'Bearer ' }, null, 2);

/**
 * GraphiQL restores its tabs from localStorage, but picks the active one by comparing it with
 * the last query, variables and headers it kept apart, which it writes only after an edit:
 * without them every reload adds an empty tab. This runs before GraphiQL and copies them
 * from the active tab, so a reload shows the same tab (and its token) again.
 */
const restoreActiveTab = `(() => {
  try {
    const state = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
    const tab = state && Array.isArray(state.tabs) ? state.tabs[state.activeTabIndex] : null;
    if (!tab) return;
    for (const key of ['query', 'variables', 'headers']) {
      if (typeof tab[key] === 'string') localStorage.setItem('graphiql:' + key, tab[key]);
      else localStorage.removeItem('graphiql:' + key);
    }
  } catch {}
})();`;

type Renderer = typeof import('@graphql-yoga/render-graphiql');
let renderer: Promise<Renderer> | undefined;

/**
 * yoga's GraphiQL page (served from the package, no CDN), with the tab restore above.
 * GraphiQL's whole bundle (about 9 MB of source, ≈ 0.1 s to load) is imported by the first
 * page asked for: a gateway without GRAPHIQL (the production default) never holds it, and one
 * that serves it does not load it before it is ready.
 */
export async function renderGatewayGraphiQL(options: Parameters<typeof renderGraphiQL>[0]): Promise<string> {
  renderer ??= import('@graphql-yoga/render-graphiql');
  const { renderGraphiQL } = await renderer;
  return renderGraphiQL(options).replace('</head>', `<script>${restoreActiveTab}</script></head>`);
}
