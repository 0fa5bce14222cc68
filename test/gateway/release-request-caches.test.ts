import SchemaBuilder, { contextCacheSymbol, initContextCache } from '@pothos/core';
import ScopeAuthPlugin, { RequestCache } from '@pothos/plugin-scope-auth';
import { createYoga } from 'graphql-yoga';
import { expect, it } from 'vitest';
import { useReleaseRequestCaches } from '../../src/server/use-release-request-caches.ts';

// Issue 13: Pothos' per-request caches hold the context, which holds their key, so V8's young
// collector kept every request's context alive. After an execution the gateway clears them
// (src/server/use-release-request-caches.ts); during it they still work.

interface Context {
  token: string | null;
}

function gatewayLike(release: boolean) {
  let scopeLoads = 0;
  const seen: { context: Record<symbol, unknown>; cache: RequestCache<never>; key: unknown }[] = [];
  const builder = new SchemaBuilder<{ Context: Context; AuthScopes: { authenticated: boolean } }>({
    plugins: [ScopeAuthPlugin],
    scopeAuth: {
      authScopes: (ctx) => {
        scopeLoads += 1;
        return { authenticated: !!ctx.token };
      },
    },
  });
  builder.queryType({});
  builder.queryField('ping', (t) =>
    t.string({
      authScopes: { authenticated: true },
      resolve: (_parent, _args, context) => {
        const held = context as unknown as Record<symbol, unknown>;
        seen.push({
          context: held,
          cache: RequestCache.fromContext(context as never, builder as never) as RequestCache<never>,
          key: held[contextCacheSymbol],
        });
        return 'pong';
      },
    }),
  );
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema: builder.toSchema(),
    logging: false,
    context: () => ({ ...initContextCache(), token: 'caller-token' }),
    plugins: release ? [useReleaseRequestCaches()] : [],
  });
  const query = async (source: string) => {
    const res = await yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: source }),
    });
    return res.json();
  };
  return { builder, query, seen, scopeLoads: () => scopeLoads };
}

it('keeps the caches for the whole execution: the caller’s scopes are loaded once for every field', async () => {
  const gateway = gatewayLike(true);
  expect(await gateway.query('{ a: ping b: ping c: ping }')).toEqual({ data: { a: 'pong', b: 'pong', c: 'pong' } });
  expect(gateway.scopeLoads()).toBe(1);
  const [first, ...rest] = gateway.seen;
  for (const field of rest) {
    expect(field.context).toBe(first?.context);
    expect(field.cache).toBe(first?.cache);
  }
});

it('lets go of them once the execution is over', async () => {
  const gateway = gatewayLike(true);
  await gateway.query('{ ping }');
  const [done] = gateway.seen;
  if (!done) throw new Error('the resolver did not run');
  expect(done.key).toBeTypeOf('object');
  // The context no longer leads to the key its caches were stored under…
  expect(done.context[contextCacheSymbol]).toBeUndefined();
  // …and scope-auth's cache under that key is gone: asking again makes a new one.
  const again = RequestCache.fromContext({ [contextCacheSymbol]: done.key } as never, gateway.builder as never);
  expect(again).not.toBe(done.cache);
});

it('without it, the context still holds its key and the cache after the request (what V8 could not collect young)', async () => {
  const gateway = gatewayLike(false);
  await gateway.query('{ ping }');
  const [done] = gateway.seen;
  if (!done) throw new Error('the resolver did not run');
  expect(done.context[contextCacheSymbol]).toBe(done.key);
  expect(RequestCache.fromContext(done.context as never, gateway.builder as never)).toBe(done.cache);
});
