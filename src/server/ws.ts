import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { CloseCode, type Context as WsContext } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { LimitsConfig } from '../config.ts';
import {
  createContext,
  type GatewayDeps,
  tokenFromConnectionParams,
  tokenFromExtensions,
  withHeaderResolution,
} from '../context.ts';
import { limitError } from '../limits/limit-error.ts';
import { nestingDepth } from '../limits/variables-depth.ts';
import { getSession } from '../upstream/sessions.ts';
import type { OriginAllowed } from './origin-policy.ts';
import type { GatewayYoga } from './yoga.ts';

/** graphql-ws pings every connection this often, so idle links are noticed (its default, made explicit). */
export const WS_KEEPALIVE_MS = 12_000;
/** The socket closes this long after EXPIRED/DESTROYED, so the subscription's own `complete` goes first. */
const CLOSE_AFTER_TERMINAL_MS = 50;

/** Close reasons start with the contract's error code, as `extensions.code` would carry it. */
export const WS_CLOSE = {
  noToken: {
    code: CloseCode.Unauthorized,
    reason:
      'UNAUTHENTICATED: send the token as connectionParams.authorization ("Bearer <token>") or connectionParams.token',
  },
  rejected: { code: CloseCode.Forbidden, reason: 'SESSION_EXPIRED: session token expired or unknown' },
  expired: { code: CloseCode.Forbidden, reason: 'SESSION_EXPIRED: session expired' },
  destroyed: { code: CloseCode.Forbidden, reason: 'SESSION_EXPIRED: session destroyed' },
  unavailable: { code: 1011, reason: 'UPSTREAM_UNAVAILABLE: try again later' },
} as const;

export interface WsServer {
  /**
   * Refuses new sockets and closes every open one with 1001 (Going away); sockets whose
   * client does not finish the closing handshake within `graceMs` are cut.
   */
  close(graceMs: number): Promise<void>;
}

type ConnectionContext = WsContext<Record<string, unknown>, Extra>;
type RootValue = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };

/**
 * `graphql-transport-ws` on `/graphql` of the HTTP server. The token comes once, in
 * `connectionParams`; every operation on the connection gets a context of its own with it.
 * The connection watches its token and closes when the upstream no longer accepts it.
 */
export function createWsServer(
  server: Server,
  yoga: GatewayYoga,
  deps: GatewayDeps,
  limits: Pick<LimitsConfig, 'wsMaxPayloadBytes' | 'maxSubscriptionsPerConnection' | 'maxVariableDepth'>,
  { originAllowed }: { originAllowed: OriginAllowed },
): WsServer {
  const { sessionCookie, metrics } = deps;
  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    // A larger frame closes the socket with 1009, before or after connection_init (ws's own check).
    maxPayload: limits.wsMaxPayloadBytes,
    // Cookie mode: a page on another origin must not open a socket that rides on the cookie
    // (cross-site WebSocket hijacking), so the upgrade itself is refused with 403.
    ...(sessionCookie && {
      verifyClient: (
        { req }: { req: { headers: Record<string, string | string[] | undefined> } },
        done: (ok: boolean, code?: number, reason?: string) => void,
      ) =>
        originAllowed(req.headers.origin as string | undefined, req.headers.host as string | undefined)
          ? done(true)
          : done(false, 403, 'Forbidden: this origin may not open a session (CORS_ORIGINS)'),
    }),
  });
  /** Each accepted connection's token and the means to stop watching it. */
  const accepted = new WeakMap<ConnectionContext, { token: string; unwatch: () => void }>();

  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as RootValue).execute(args) as never,
      subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
      async onConnect(ctx) {
        const socket = ctx.extra.socket;
        // connectionParams win over the session cookie of the upgrade request.
        const token =
          tokenFromConnectionParams(ctx.connectionParams) ??
          sessionCookie?.tokenFrom(ctx.extra.request.headers.cookie) ??
          null;
        if (!token) {
          socket.close(WS_CLOSE.noToken.code, WS_CLOSE.noToken.reason);
          return false;
        }
        const rejection = await authenticate(deps, token);
        if (rejection) {
          socket.close(rejection.code, rejection.reason);
          return false;
        }
        // The client may have gone while the upstream answered: nothing to watch then.
        if (socket.readyState !== socket.OPEN) return false;
        accepted.set(ctx, { token, unwatch: watchToken(deps, token, socket) });
        metrics.webSocketOpened();
        return true;
      },
      onClose(ctx) {
        const connection = accepted.get(ctx);
        if (!connection) return;
        accepted.delete(ctx);
        connection.unwatch();
        metrics.webSocketClosed();
      },
      async onSubscribe(ctx, _id, payload) {
        // graphql-ws has already registered this one: more than the limit refuses it (an
        // `error` message for its id); the socket and its other subscriptions stay.
        const active = Object.keys(ctx.subscriptions).length;
        if (active > limits.maxSubscriptionsPerConnection) {
          return [withoutHttp(limitError('subscriptions', limits.maxSubscriptionsPerConnection))];
        }
        if (nestingDepth(payload.variables, limits.maxVariableDepth) > limits.maxVariableDepth) {
          return [withoutHttp(limitError('variableDepth', limits.maxVariableDepth))];
        }
        // The message's own token wins; a new one is checked like a connection's, but a
        // refusal fails only this operation (the socket and its other operations go on).
        const own = tokenFromExtensions(payload.extensions);
        const connectionToken = accepted.get(ctx)?.token;
        if (own && own !== connectionToken) {
          const rejection = await authenticate(deps, own);
          if (rejection) return [operationRefusal(rejection)];
        }
        const token = own ?? connectionToken ?? null;
        const { schema, execute, subscribe, parse, validate } = yoga.getEnveloped({
          request: ctx.extra.request,
          params: payload,
        });
        let document: ExecutionArgs['document'];
        try {
          document = parse(payload.query);
        } catch (err) {
          return [err instanceof GraphQLError ? withoutHttp(err) : (err as never)];
        }
        let errors: readonly GraphQLError[];
        try {
          errors = validate(schema, document);
        } catch (err) {
          // An operation limit stops validation by throwing its error.
          if (!(err instanceof GraphQLError)) throw err;
          errors = [err];
        }
        if (errors.length > 0) return errors.map(withoutHttp);
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: createContext(deps, token, deps.clientAddressOf(ctx.extra.request)),
          rootValue: { execute, subscribe } satisfies RootValue,
        };
        return args;
      },
    },
    wss,
    WS_KEEPALIVE_MS,
  );

  return {
    async close(graceMs) {
      const cut = setTimeout(() => {
        for (const socket of wss.clients) socket.terminate();
      }, graceMs);
      try {
        // graphql-ws closes each socket with 1001 and then the server.
        await disposable.dispose();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

/** `extensions.http` is the HTTP status for yoga: meaningless on a socket. */
function withoutHttp(error: GraphQLError): GraphQLError {
  if (!error.extensions?.http) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions });
}

/**
 * A token the tracker already knows is accepted as is. Otherwise one GET /session: the
 * client's own act, and the first observation (with identity), so that a restarted
 * memory-mode gateway does not reject every valid token.
 */
async function authenticate(deps: GatewayDeps, token: string): Promise<{ code: number; reason: string } | null> {
  const known = await deps.sessions.currentState(token).catch(() => undefined);
  if (known) return null;
  try {
    const record = await getSession(deps.client, token);
    if (record.expiresAt) {
      const identity = { userId: record.user_id ?? undefined, sessionId: record.id };
      // Awaited: the connection's own watcher must find the token known.
      await deps.sessions.observe(token, withHeaderResolution(record.expiresAt), identity);
    }
    return null;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SESSION_EXPIRED') return WS_CLOSE.rejected;
    deps.logger.warn({ err }, 'websocket authentication');
    return WS_CLOSE.unavailable;
  }
}

/** Closes the socket on EXPIRED or DESTROYED; LOGGED_OUT keeps it (the token is an application session). */
function watchToken(deps: GatewayDeps, token: string, socket: Extra['socket']): () => void {
  return deps.sessions.watch(token, {
    event(event) {
      const close =
        event.type === 'EXPIRED' ? WS_CLOSE.expired : event.type === 'DESTROYED' ? WS_CLOSE.destroyed : null;
      if (close) setTimeout(() => socket.close(close.code, close.reason), CLOSE_AFTER_TERMINAL_MS).unref();
    },
    end(err) {
      if (err) deps.logger.warn({ err }, 'session watcher');
    },
  });
}

/** A close reason (`CODE: words`) as the error of one operation, with the same code. */
function operationRefusal(rejection: { reason: string }): GraphQLError {
  const [code = 'SESSION_EXPIRED', message = rejection.reason] = rejection.reason.split(/: (.*)/s);
  return new GraphQLError(message, { extensions: { code } });
}
