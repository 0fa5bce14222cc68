import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../support/gateway.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

it('smoke', async () => {
  const created = await gw.gql(`mutation { createSession { __typename ... on CreateSessionSuccess { session { id databaseId token kind applicationId createdAt expiresAt user { id } } } ... on Error { code message } } }`);
  console.log(JSON.stringify(created, null, 2));
  const token = created.data.createSession.session.token;
  const s = await gw.gql(`{ session { kind expiresAt } me { id } }`, {}, { token });
  console.log(JSON.stringify(s, null, 2));
  const anon = await gw.gql(`{ session { kind } me { id } user(id: 1) { id } }`);
  console.log(JSON.stringify(anon, null, 2));
  const bad = await gw.gql(`{ user(id: 1, login: "x") { id } }`, {}, { token });
  console.log(JSON.stringify(bad, null, 2));
  const up = await gw.gql(`mutation { updateMe(input: {fullName: "x"}) { __typename ... on Error { code message } } }`, {}, { token });
  console.log(JSON.stringify(up, null, 2));
  const up2 = await gw.gql(`mutation { updateMe(input: {fullName: "x"}) { __typename ... on Error { code message } } }`);
  console.log(JSON.stringify(up2, null, 2));
  const up3 = await gw.gql(`mutation { updateMe(input: {email: "x"}) { __typename ... on ValidationError { code message fields { field messages } } } }`, {}, { token });
  console.log(JSON.stringify(up3, null, 2));
  const exp = await gw.gql(`{ me { id } }`, {}, { token: 'deadbeef' });
  console.log(JSON.stringify(exp, null, 2));
  expect(1).toBe(1);
});
