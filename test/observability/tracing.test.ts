import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startTracing, type Tracing } from '../../src/observability/tracing.ts';
import { type RunningGateway, startGateway } from '../support/gateway.ts';
import { PASSWORD, userWithToken } from '../support/users.ts';

// OpenTelemetry end to end: the gateway exports over OTLP/HTTP (JSON) to a receiver in this
// process; the upstream (behind the counting proxy) sees the W3C traceparent; the log line
// of the request and the local service's debug log carry the same trace.

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

const received: OtlpSpan[] = [];
/** `service.name` of each batch the receiver got. */
const services: string[] = [];
let receiver: Server;
let receiverUrl: string;
const gatewayLog: string[] = [];
const serviceLog: string[] = [];
let tracing: Tracing;
let gw: RunningGateway;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
        const payload = JSON.parse(body) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const rs of payload.resourceSpans) {
          services.push(rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '');
          for (const ss of rs.scopeSpans) received.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(415).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  tracing = startTracing({ endpoint: `${receiverUrl}/v1/traces`, serviceName: 'cube-gateway-test' });
  gw = await startGateway({
    tracing,
    logger: createLogger('info', { write: (line: string) => void gatewayLog.push(line) }),
    local: { logLevel: 'debug', logDestination: { write: (line: string) => void serviceLog.push(line) } },
  });
  await userWithToken(gw.local, 'traced_ada');
});
afterAll(async () => {
  await gw?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

describe('traces', () => {
  it('a span per operation, a child per root resolver, the upstream call under it with its traceparent, the trace id in the log', async () => {
    gw.upstream.reset();
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'traced-1' },
      body: JSON.stringify({
        query:
          'mutation TracedLogin($p: String!) { login(input: { login: "traced_ada", password: $p }) { __typename } }',
        variables: { p: PASSWORD },
      }),
    });
    expect(((await res.json()) as { data: { login: { __typename: string } } }).data.login.__typename).toBe(
      'LoginSuccess',
    );
    await tracing.flush();
    const find = (name: string) => received.find((s) => s.name === name);
    await vi.waitFor(() => expect(find('mutation TracedLogin')).toBeDefined());

    const operation = find('mutation TracedLogin') as OtlpSpan;
    const request = received.find((s) => s.spanId === operation.parentSpanId);
    expect(request?.name).toBe('POST /graphql');
    const resolver = received.find((s) => s.name === 'resolve Mutation.login' && s.parentSpanId === operation.spanId);
    expect(resolver).toBeDefined();
    const upstream = received.filter((s) => s.parentSpanId === resolver?.spanId);
    expect(upstream.map((s) => s.name)).toEqual(['POST /session']);
    const upstreamSpan = upstream[0] as OtlpSpan;
    for (const span of [request, resolver, upstreamSpan]) expect(span?.traceId).toBe(operation.traceId);
    // The span's URL is the route template, with no query string.
    const url = upstreamSpan.attributes?.find((a) => a.key === 'url.full')?.value.stringValue;
    expect(url).toBe(`${gw.upstream.url}/session`);

    // The upstream received the W3C traceparent of that very span.
    const calls = gw.upstream.calls.filter((c) => c.method === 'POST' && c.path === '/session');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers.traceparent).toBe(`00-${operation.traceId}-${upstreamSpan.spanId}-01`);
    // ... and the local service logged it at debug level.
    expect(serviceLog.some((l) => l.includes(`"traceparent":"00-${operation.traceId}-`))).toBe(true);

    // The request's log line names the trace.
    const line = gatewayLog.map((l) => JSON.parse(l)).find((r) => r.msg === 'request' && r.requestId === 'traced-1');
    expect(line?.traceId).toBe(operation.traceId);
  });

  it('npm start with OTEL_EXPORTER_OTLP_ENDPOINT exports the operation spans (flushed on SIGTERM)', async () => {
    const { spawn } = await import('node:child_process');
    const { id, authKey, authSecret } = gw.local.application;
    const child = spawn(process.execPath, ['src/main.ts'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        LOG_LEVEL: 'warn',
        UPSTREAM_URL: gw.local.url,
        CUBE_APPLICATION_ID: String(id),
        CUBE_AUTH_KEY: authKey,
        CUBE_AUTH_SECRET: authSecret,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
        OTEL_SERVICE_NAME: 'gateway-under-test',
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    try {
      await vi.waitFor(() => expect(output).toMatch(/cube-gateway ready at http:\/\/\S+/), { timeout: 30_000 });
      const url = /cube-gateway ready at (http:\/\/\S+)/.exec(output)?.[1] as string;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation StartedByMain { createSession { __typename } }' }),
      });
      expect(res.status).toBe(200);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(received.some((s) => s.name === 'mutation StartedByMain')).toBe(true);
      expect(services).toContain('gateway-under-test');
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: no OpenTelemetry SDK, exporter or instrumentation is loaded', async () => {
    const { execFileSync } = await import('node:child_process');
    // A fresh process builds the app without tracing and lists what it loaded. (prom-client's
    // process metrics load the no-op @opentelemetry/api themselves, for exemplars.)
    const script = `
      const { buildApp } = await import('./src/app.ts');
      const { loadConfig } = await import('./src/config.ts');
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', UPSTREAM_URL: 'http://127.0.0.1:9', CUBE_APPLICATION_ID: '1', CUBE_AUTH_KEY: 'k' });
      const app = buildApp({ ...config, upstream: config.upstream });
      await app.stop();
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ tracesEndpoint: config.observability.tracesEndpoint ?? null, otel: loaded.filter((p) => p.includes('@opentelemetry/') && !p.includes('@opentelemetry/api/')) }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      encoding: 'utf8',
    });
    expect(JSON.parse(out.trim().split('\n').at(-1) as string)).toEqual({ tracesEndpoint: null, otel: [] });
  });
});
