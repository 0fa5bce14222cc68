import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphiqlDefaultQuery } from '../../src/server/graphiql.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

// A new user tries the README's curl sign-up and GraphiQL's CreateAccount on the same
// gateway, in either order: neither may fail because the other took its login or email.

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** The JSON body of the README's first `curl … -d '…'` that signs up. */
function readmeSignUp(): { query: string; variables: Record<string, unknown> } {
  const match =
    /curl -s http:\/\/127\.0\.0\.1:4000\/graphql -H 'content-type: application\/json' -d '(\{[^']*signUp[^']*\})'/.exec(
      readme,
    );
  if (!match?.[1]) throw new Error('README has no curl sign-up example');
  return JSON.parse(match[1]);
}

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

it("the README's curl sign-up and GraphiQL's CreateAccount both succeed on one gateway", async () => {
  const curl = readmeSignUp();
  const first = await gw.gql(curl.query, curl.variables);
  expect(first.data?.signUp.__typename).toBe('SignUpSuccess');
  const graphiql = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: graphiqlDefaultQuery, operationName: 'CreateAccount' }),
  });
  const second = (await graphiql.json()) as any;
  expect(second.data.signUp.__typename).toBe('SignUpSuccess');
  expect(second.data.signUp.user.login).not.toBe(first.data?.signUp.user.login);
});
