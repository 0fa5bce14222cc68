/**
 * The gateway's single-user lookup by the upstream's integer id is `user(databaseId:)` since
 * the 0.2 contract and was `user(id: Int)` before; the benchmarks ask the running gateway
 * which one it has, so that before/after runs measure the same request.
 */
export async function integerIdArgument(
  graphqlUrl: string,
  headers: Record<string, string>,
  id: number,
): Promise<'databaseId' | 'id'> {
  for (const arg of ['databaseId', 'id'] as const) {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: `{ user(${arg}: ${id}) { login } }` }),
    });
    const json = (await res.json()) as { data?: { user?: { login?: string } } };
    if (json.data?.user?.login) return arg;
  }
  throw new Error(`the gateway at ${graphqlUrl} answered neither user(databaseId:) nor user(id:) for ${id}`);
}

/** A Relay global id as the gateway makes them (Pothos' default encoding). */
export function globalId(type: string, id: number): string {
  return Buffer.from(`${type}:${id}`).toString('base64');
}
