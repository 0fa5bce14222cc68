import type { Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
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
import type { SessionEvent } from '../sessions/session-events.ts';
import type { SessionEventSink, Watching } from '../sessions/session-tracker.ts';
import { getSession } from '../upstream/sessions.ts';
import type { OriginAllowed } from './origin-policy.ts';
import { subscribeThroughPlugins } from './subscribe-through-plugins.ts';
import type { GatewayYoga } from './yoga.ts';

/** graphql-ws pings every connection this often, so idle links are noticed (its default, made explicit). */
export const WS_KEEPALIVE_MS = 12_000;
/** A socket that has not sent `connection_init` this long after opening closes with 4408 (graphql-ws' default). */
const CONNECTION_INIT_WAIT_MS = 3_000;
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

/**
 * What a connection keeps of its upgrade request: the two things read from it, not the
 * request itself (its headers, stream state and buffers would stay for the socket's life);
 * and once accepted, its token and its watch of it (fields here, not a map entry and an
 * object of their own).
 */
export interface Extra {
  readonly socket: WebSocket;
  /** The socket as graphql-ws drives it; also the sink of its token's watch. */
  readonly connection: ProtocolSocket;
  /** Cookie mode: the session cookie's token, read at the upgrade; else null. */
  readonly cookieToken: string | null;
  readonly clientAddress: string;
  /** The accepted connection's token; null until `connection_init` is accepted. */
  token: string | null;
  /** The accepted connection's watch of its token. */
  watching: Watching | undefined;
}
type RootValue = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };

/**
 * The upgrade was a GET, and yoga's parse hook judges an operation by its request's method
 * (a mutation "from a GET" is refused, an unresolvable operation named): it gets that much
 * of a request, shared by every operation, instead of the upgrade request itself.
 */
const UPGRADE_REQUEST = Object.freeze({ method: 'GET' });

/**
 * `graphql-transport-ws` on `/graphql` of the HTTP server. The token comes once, in
 * `connectionParams`; every operation on the connection gets a context of its own with it.
 * The connection watches its token and closes when the upstream no longer accepts it.
 *
 * graphql-ws' protocol (`makeServer`) on `ws`, wired here rather than by its `useServer`,
 * which gave each socket two timers of its own (keep-alive ping and `connection_init` wait)
 * and kept the upgrade request for the socket's life: here one interval pings every socket,
 * one timer closes the sockets that never sent `connection_init`, and the request is dropped
 * once its cookie and client address are read. Same close codes and reasons as `useServer`.
 */
export function createWsServer(
  server: Server,
  yoga: GatewayYoga,
  deps: GatewayDeps,
  limits: Pick<LimitsConfig, 'wsMaxPayloadBytes' | 'maxSubscriptionsPerConnection' | 'maxVariableDepth'>,
  // In production an internal error's message stays out of close reasons (as in useServer).
  { originAllowed, production: isProd }: { originAllowed: OriginAllowed; production: boolean },
): WsServer {
  const { sessionCookie, metrics } = deps;
  // A socket's first error (as `once` would, without a wrapper and closure per socket).
  function onSocketError(this: WebSocket, err: Error): void {
    this.removeListener('error', onSocketError);
    console.error('Internal error emitted on a WebSocket socket. Please check your implementation.', err);
    this.close(CloseCode.InternalServerError, internalErrorReason(err, isProd));
  }
  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    // A larger frame closes the socket with 1009, before or after connection_init (ws's own check).
    maxPayload: limits.wsMaxPayloadBytes,
    // No per-socket zlib state (ws's default for a server, made explicit).
    perMessageDeflate: false,
    // `trackSockets` keeps the open sockets: ws' own set would add a close listener, with its
    // closure, to every socket.
    clientTracking: false,
    handleProtocols,
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
  const sockets = trackSockets();
  // Every plugin's subscribe hooks, holding one object per open subscription instead of
  // envelop's chain of iterators (envelop's own subscribe if a plugin instruments it).
  // yoga's plugin list is envelop's (with those plugins added at init), kept on the instance.
  const plugins = (yoga as unknown as { plugins?: Parameters<typeof subscribeThroughPlugins>[0] }).plugins;
  const subscribeThroughHooks = Array.isArray(plugins) ? subscribeThroughPlugins(plugins) : undefined;
  // envelop hands every operation the same execute and subscribe (unless a plugin instruments
  // them): then every operation shares one root, instead of one more object per subscription.
  let sharedRoot: RootValue | undefined;
  const rootOf = (execute: RootValue['execute'], subscribe: RootValue['subscribe']): RootValue => {
    if (sharedRoot?.execute !== execute || sharedRoot.subscribe !== subscribe) sharedRoot = { execute, subscribe };
    return sharedRoot;
  };

  const protocol = makeServer<Record<string, unknown>, Extra>({
    execute: (args) => (args.rootValue as RootValue).execute(args) as never,
    subscribe: (args) => (args.rootValue as RootValue).subscribe(args) as never,
    // `trackSockets` closes a socket without connection_init after CONNECTION_INIT_WAIT_MS.
    connectionInitWaitTimeout: 0,
    async onConnect(ctx) {
      const socket = ctx.extra.socket;
      sockets.initialised(socket);
      // connectionParams win over the session cookie of the upgrade request.
      const token = tokenFromConnectionParams(ctx.connectionParams) ?? ctx.extra.cookieToken;
      if (!token) {
        socket.close(WS_CLOSE.noToken.code, WS_CLOSE.noToken.reason);
        return false;
      }
      const rejection = await authenticate(deps, token);
      if (rejection) {
        socket.close(rejection.code, rejection.reason);
        return false;
      }
      // The client may have gone while the upstream answered: nothing to watch then. The
      // connection's protocol socket is the watch's sink: it closes on EXPIRED or DESTROYED.
      if (socket.readyState !== socket.OPEN) return false;
      const watching = deps.sessions.watch(token, ctx.extra.connection);
      ctx.extra.token = token;
      ctx.extra.watching = watching;
      metrics.webSocketOpened();
      return true;
    },
    // graphql-ws has taken what it sends (`errors` and the rest) from the result when it
    // calls this, and its loop then keeps the result until the stream's next one: hours for a
    // subscription. Its data tree (null-prototype objects, ≈ 0.4 KB for sessionEvents) is let
    // go now. The results are made per event here (the lean executor, masked errors), never
    // shared between operations, so emptying one changes nothing else.
    onNext(_ctx, _id, _payload, _args, result) {
      releaseResult(result as { data?: unknown; errors?: unknown });
    },
    onClose(ctx) {
      const { watching } = ctx.extra;
      if (!watching) return;
      ctx.extra.watching = undefined;
      watching.stop();
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
      const connectionToken = ctx.extra.token ?? undefined;
      if (own && own !== connectionToken) {
        const rejection = await authenticate(deps, own);
        if (rejection) return [operationRefusal(rejection)];
      }
      const token = own ?? connectionToken ?? null;
      const { schema, execute, subscribe, parse, validate } = yoga.getEnveloped({
        request: UPGRADE_REQUEST as never,
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
        contextValue: createContext(deps, token, ctx.extra.clientAddress),
        rootValue: rootOf(execute, subscribeThroughHooks ?? subscribe),
      };
      return args;
    },
  });

  // useServer's handling of an error on the server: every socket closes with 4500.
  wss.once('error', (err) => {
    console.error('Internal error emitted on the WebSocket server. Please check your implementation.', err);
    let firstErr: unknown = null;
    for (const client of sockets.open()) {
      try {
        client.close(CloseCode.InternalServerError, internalErrorReason(err, isProd));
      } catch (closeErr) {
        firstErr ??= closeErr;
      }
    }
    if (firstErr) throw firstErr;
  });
  wss.on('connection', (socket, request) => {
    socket.on('error', onSocketError);
    const connection = new ProtocolSocket(socket, isProd, deps.logger);
    const extra: Extra = {
      socket,
      connection,
      cookieToken: sessionCookie?.tokenFrom(request.headers.cookie) ?? null,
      clientAddress: deps.clientAddressOf(request),
      token: null,
      watching: undefined,
    };
    connection.closed = protocol.opened(connection, extra);
    sockets.opened(socket, connection);
  });

  return {
    async close(graceMs) {
      const cut = setTimeout(() => {
        for (const socket of sockets.open()) socket.terminate();
      }, graceMs);
      try {
        // Each socket closes with 1001, and then the server (as useServer's dispose).
        for (const client of sockets.open()) client.close(1001, 'Going away');
        wss.removeAllListeners();
        sockets.stop();
        await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
        // As ws' own tracking did: done once every socket has closed.
        await sockets.allClosed();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

/**
 * A socket as graphql-ws' protocol drives it, and as its token's watch closes it (on EXPIRED
 * or DESTROYED; LOGGED_OUT keeps it, the token being an application session): one object per
 * socket, its methods shared. Its messages come through a listener shared by every socket
 * (`trackSockets`), not a closure of its own.
 */
class ProtocolSocket implements SessionEventSink {
  readonly #socket: WebSocket;
  readonly #isProd: boolean;
  readonly #logger: GatewayDeps['logger'];
  /** graphql-ws' handler of the socket's messages. */
  #handler: ((data: string) => Promise<void>) | undefined;
  /** Closes the socket when the handler fails: made at the first message, then shared by all. */
  #failed: ((err: unknown) => void) | undefined;
  /** graphql-ws' end of the connection, to be called once the socket has closed. */
  closed: ((code: number, reason: string) => Promise<void>) | undefined;

  constructor(socket: WebSocket, isProd: boolean, logger: GatewayDeps['logger']) {
    this.#socket = socket;
    this.#isProd = isProd;
    this.#logger = logger;
  }
  get protocol(): string {
    return this.#socket.protocol;
  }
  send(data: string): Promise<void> {
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(data, (err) => (err ? reject(err) : resolve()));
    });
  }
  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }
  onMessage(cb: (data: string) => Promise<void>): void {
    this.#handler = cb;
  }
  /**
   * A message of the socket. Not an async function: graphql-ws handles a subscribe message
   * for the subscription's whole life, and an async wrapper would keep a suspended frame of
   * its own all along.
   */
  received(data: string): void {
    const handler = this.#handler;
    if (!handler) return;
    this.#failed ??= (err) => this.#fail(err);
    try {
      handler(data).catch(this.#failed);
    } catch (err) {
      this.#fail(err);
    }
  }
  event(event: SessionEvent): void {
    const close = event.type === 'EXPIRED' ? WS_CLOSE.expired : event.type === 'DESTROYED' ? WS_CLOSE.destroyed : null;
    const socket = this.#socket;
    if (close) setTimeout(() => socket.close(close.code, close.reason), CLOSE_AFTER_TERMINAL_MS).unref();
  }
  end(err?: unknown): void {
    if (err) this.#logger.warn({ err }, 'session watcher');
  }
  #fail(err: unknown): void {
    console.error('Internal error occurred during message handling. Please check your implementation.', err);
    this.#socket.close(CloseCode.InternalServerError, internalErrorReason(err, this.#isProd));
  }
}

function internalErrorReason(err: unknown, isProd: boolean): string {
  if (isProd) return 'Internal server error';
  const reason = err instanceof Error ? err.message : String(err);
  // A close reason has at most 123 bytes (graphql-ws' limitCloseReason).
  return reason.length < 124 ? reason : 'Internal server error';
}

/**
 * Every open socket with its protocol socket (which receives its messages and, once it has
 * closed, ends graphql-ws' session), their listeners and timers, shared. Keep-alive: every
 * WS_KEEPALIVE_MS each open socket is pinged, and one that has not answered the previous ping
 * by then is cut (graphql-ws' rule: no pong within WS_KEEPALIVE_MS). Initialisation: a socket
 * without `connection_init` CONNECTION_INIT_WAIT_MS after opening closes with 4408; they all
 * wait alike, so the waiting sockets are in deadline order and one timer, armed for the
 * first, serves them all.
 */
function trackSockets() {
  const sockets = new Map<WebSocket, ProtocolSocket>();
  /** Told when the last open socket has closed. */
  let emptied: (() => void) | undefined;
  const awaitingPong = new Set<WebSocket>();
  const awaitingInit = new Map<WebSocket, number>();
  let initTimer: NodeJS.Timeout | undefined;
  const keepAlive = setInterval(() => {
    for (const socket of sockets.keys()) {
      if (socket.readyState !== socket.OPEN) continue;
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, WS_KEEPALIVE_MS);
  keepAlive.unref();
  function onPong(this: WebSocket): void {
    awaitingPong.delete(this);
  }
  // Listeners shared by every socket, not closures of each one's. ws emits `close` once.
  function onMessage(this: WebSocket, data: RawData): void {
    sockets.get(this)?.received(String(data));
  }
  function onClose(this: WebSocket, code: number, reason: Buffer): void {
    const closed = sockets.get(this)?.closed;
    sockets.delete(this);
    awaitingPong.delete(this);
    awaitingInit.delete(this);
    if (closed) void closed(code, String(reason));
    if (sockets.size === 0) emptied?.();
  }
  function armInitTimer(): void {
    if (initTimer) return;
    const first = awaitingInit.values().next();
    if (first.done) return;
    initTimer = setTimeout(closeUninitialised, Math.max(0, first.value - Date.now()));
    initTimer.unref();
  }
  function closeUninitialised(): void {
    initTimer = undefined;
    const now = Date.now();
    for (const [socket, deadline] of awaitingInit) {
      if (deadline > now) break;
      awaitingInit.delete(socket);
      socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
    }
    armInitTimer();
  }
  return {
    opened(socket: WebSocket, connection: ProtocolSocket): void {
      sockets.set(socket, connection);
      socket.on('message', onMessage);
      socket.on('close', onClose);
      socket.on('pong', onPong);
      awaitingInit.set(socket, Date.now() + CONNECTION_INIT_WAIT_MS);
      armInitTimer();
    },
    open(): IterableIterator<WebSocket> {
      return sockets.keys();
    },
    allClosed(): Promise<void> {
      if (sockets.size === 0) return Promise.resolve();
      return new Promise((resolve) => {
        emptied = resolve;
      });
    },
    /** `connection_init` arrived. */
    initialised(socket: WebSocket): void {
      awaitingInit.delete(socket);
    },
    /** The timers only: the sockets still close (and are told so) after this. */
    stop(): void {
      clearInterval(keepAlive);
      clearTimeout(initTimer);
      awaitingPong.clear();
      awaitingInit.clear();
    },
  };
}

/** Drops what a sent result refers to, keeping its shape (a deleted key would make it a dictionary). */
function releaseResult(result: { data?: unknown; errors?: unknown }): void {
  if (Object.isFrozen(result)) return;
  if (result.data !== undefined) result.data = undefined;
  if (result.errors !== undefined) result.errors = undefined;
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

/** A close reason (`CODE: words`) as the error of one operation, with the same code. */
function operationRefusal(rejection: { reason: string }): GraphQLError {
  const [code = 'SESSION_EXPIRED', message = rejection.reason] = rejection.reason.split(/: (.*)/s);
  return new GraphQLError(message, { extensions: { code } });
}
