import { randomUUID } from 'node:crypto';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { restClient } from '../support/rest-client.ts';
import { insertUser, PASSWORD } from '../support/users.ts';

/** What the client-library tests share: a gateway over a real local service, and users. */

export interface ClientFixture {
  gw: RunningGateway;
  httpUrl: string;
  wsUrl: string;
  /** A tag no other test uses, so `users(filter: { tags })` sees only this test's users. */
  tag: string;
  /** Users put straight into the store, tagged, in id order. */
  addUsers(count: number): Promise<{ id: number; login: string }[]>;
  /** A user token for a new tagged user, logged in through the gateway. */
  newSession(): Promise<{ id: number; login: string; token: string }>;
  /** Deletes a user straight in the store (another client's doing, between two pages). */
  deleteUser(id: number): Promise<void>;
  /** Ends a session upstream, as an expiry or another device's logout would. */
  destroyToken(token: string): Promise<void>;
}

export async function clientFixture(): Promise<ClientFixture> {
  const gw = await startGateway();
  const tag = `t${randomUUID().slice(0, 8)}`;
  let seq = 0;
  const addUsers = async (count: number) => {
    const users: { id: number; login: string }[] = [];
    for (let i = 0; i < count; i++) {
      const login = `${tag}_${++seq}`;
      const { id } = await insertUser(gw.local, login, { user_tags: [tag] });
      users.push({ id, login });
    }
    return users;
  };
  return {
    gw,
    httpUrl: `${gw.url}/graphql`,
    wsUrl: `${gw.url.replace(/^http/, 'ws')}/graphql`,
    tag,
    addUsers,
    async newSession() {
      const [user] = await addUsers(1);
      const res = await gw.gql(
        `mutation($input: LoginInput!) { login(input: $input) { ... on LoginSuccess { session { token } } } }`,
        { input: { login: user!.login, password: PASSWORD } },
      );
      return { ...user!, token: res.data.login.session.token as string };
    },
    async deleteUser(id) {
      await gw.local.service.deps.users.delete(id);
    },
    async destroyToken(token) {
      const res = await restClient(gw.local.url).delete('/session', { token });
      if (res.status !== 200) throw new Error(`DELETE /session answered ${res.status}`);
    },
  };
}
