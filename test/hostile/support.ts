import { expect } from 'vitest';
import WebSocket from 'ws';
import type { RunningGateway } from '../support/gateway.ts';

/** Helpers of the hostile-input suite: raw requests as an attacker would send them. */

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function rawPost(
  gw: RunningGateway,
  body: BodyInit,
  headers: Record<string, string> = {},
  init: RequestInit = {},
): Promise<RawResponse> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body,
    ...init,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The codes of a GraphQL-over-HTTP error body. */
export const codes = (json: any): string[] =>
  ((json?.errors ?? []) as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code ?? '(none)');

/** `{ a { a { … b } } }`, `levels` fields deep. */
export const nested = (levels: number) => `{ ${'a { '.repeat(levels - 1)}b${' }'.repeat(levels - 1)} }`;

/** `count` aliases of a selection: `a0: sel a1: sel …`. */
export const aliases = (count: number, selection: string) =>
  Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join('\n');

/** A raw `graphql-transport-ws` socket, to send frames no well-behaved client would. */
export interface RawSocket {
  socket: WebSocket;
  messages: any[];
  send(message: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  waitFor(predicate: (m: any) => boolean, timeout?: number): Promise<any>;
}

export async function rawSocket(gw: RunningGateway): Promise<RawSocket> {
  const socket = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: any[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    closed,
    async waitFor(predicate, timeout = 10_000) {
      const started = Date.now();
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() - started > timeout) throw new Error(`no such message; got ${JSON.stringify(messages)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

/** Opens a socket and completes `connection_init` with the token. */
export async function initSocket(gw: RunningGateway, token: string): Promise<RawSocket> {
  const ws = await rawSocket(gw);
  ws.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
  await ws.waitFor((m) => m.type === 'connection_ack');
  return ws;
}

/** Heap in use after a full, forced GC (`--expose-gc`, set for the hostile project). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  expect(gc, 'the hostile project runs with --expose-gc').toBeTypeOf('function');
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}
