import { type Client, createClient } from 'graphql-ws';
import { expect, vi } from 'vitest';
import WebSocket from 'ws';

export const SESSION_EVENTS = 'subscription { sessionEvents { type expiresAt at } }';

export interface ReceivedEvent {
  type: string;
  expiresAt: string | null;
  at: string;
  receivedAt: number;
}

/** One subscription's events as a real client saw them. */
export interface EventLog {
  events: ReceivedEvent[];
  types(): string[];
  completed(): boolean;
  errors: unknown[];
  waitFor(type: string, timeout?: number): Promise<ReceivedEvent>;
  /** `label` names the subscription in the failure message. */
  waitForCompletion(timeout?: number, label?: string): Promise<void>;
  stop(): void;
}

function eventLog(stop: () => void): EventLog & { push(data: unknown): void; complete(): void } {
  const events: ReceivedEvent[] = [];
  const errors: unknown[] = [];
  let done = false;
  return {
    events,
    errors,
    types: () => events.map((e) => e.type),
    completed: () => done,
    push(payload) {
      const result = payload as { data?: { sessionEvents?: Omit<ReceivedEvent, 'receivedAt'> }; errors?: unknown[] };
      if (result.errors) errors.push(...result.errors);
      if (result.data?.sessionEvents) events.push({ ...result.data.sessionEvents, receivedAt: Date.now() });
    },
    complete() {
      done = true;
    },
    async waitFor(type, timeout = 10_000) {
      await vi.waitFor(() => expect(events.map((e) => e.type)).toContain(type), { timeout, interval: 10 });
      return events.find((e) => e.type === type) as ReceivedEvent;
    },
    async waitForCompletion(timeout = 10_000, label = 'subscription') {
      const seen = () => `${label} completed (events so far: ${events.map((e) => e.type).join(', ') || 'none'})`;
      await vi.waitFor(() => expect(done, seen()).toBe(true), { timeout, interval: 10 });
    },
    stop,
  };
}

export interface WsConnection {
  client: Client;
  /** Set once the socket closed: the code and reason the server gave. */
  closed(): { code: number; reason: string } | undefined;
  waitForClose(timeout?: number): Promise<{ code: number; reason: string }>;
  subscribe(query?: string): EventLog;
  dispose(): Promise<void>;
}

/** A real graphql-ws client (`graphql-transport-ws`) with the token in `connectionParams`. */
export function wsConnect(
  baseUrl: string,
  connectionParams: Record<string, unknown> | undefined,
  options: { lazy?: boolean } = {},
): WsConnection {
  let closed: { code: number; reason: string } | undefined;
  const client = createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    // Not lazy: a lazy client would close the socket itself once its last subscription ends.
    lazy: options.lazy ?? false,
    retryAttempts: 0,
    shouldRetry: () => false,
    onNonLazyError: () => {},
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string | Buffer };
        closed = { code: e.code, reason: String(e.reason) };
      },
    },
  });
  return {
    client,
    closed: () => closed,
    async waitForClose(timeout = 10_000) {
      await vi.waitFor(() => expect(closed).toBeDefined(), { timeout, interval: 10 });
      return closed as { code: number; reason: string };
    },
    subscribe(query = SESSION_EVENTS) {
      let unsubscribe = () => {};
      const log = eventLog(() => unsubscribe());
      unsubscribe = client.subscribe(
        { query },
        {
          next: (value) => log.push(value),
          error: (err) => {
            log.errors.push(err);
            log.complete();
          },
          complete: () => log.complete(),
        },
      );
      return log;
    },
    dispose: async () => {
      await client.dispose();
    },
  };
}

/**
 * GraphQL over SSE as yoga serves it: POST /graphql with `Accept: text/event-stream`;
 * `event: next` messages carry results and `event: complete` ends the stream.
 */
export function sseSubscribe(baseUrl: string, token: string | null, query = SESSION_EVENTS): EventLog {
  const abort = new AbortController();
  const log = eventLog(() => abort.abort());
  void (async () => {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query }),
      signal: abort.signal,
    });
    if (!res.body) throw new Error(`SSE answered ${res.status} without a body`);
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = message.split('\n');
        const event = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (event === 'complete') log.complete();
        else if (data && (event === undefined || event === 'next')) log.push(JSON.parse(data));
      }
    }
    log.complete();
  })().catch((err: unknown) => {
    if (!abort.signal.aborted) log.errors.push(err);
    log.complete();
  });
  return log;
}

/**
 * The current state first, then `type` exactly once, last. Activity by the cause (its own
 * GET /session) may add EXTENDED events, each with a later expiry than the one before.
 */
export function expectEndsOnceWith(log: EventLog, type: string): void {
  const types = log.types();
  expect(types[0]).toBe('EXTENDED');
  expect(types.filter((t) => t !== 'EXTENDED')).toEqual([type]);
  expect(types.at(-1)).toBe(type);
  const expiries = log.events.filter((e) => e.type === 'EXTENDED').map((e) => Date.parse(e.expiresAt as string));
  for (let i = 1; i < expiries.length; i++) expect(expiries[i]).toBeGreaterThan(expiries[i - 1] as number);
}
