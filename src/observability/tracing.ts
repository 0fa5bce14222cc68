import { context, propagation, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import type { Plugin } from 'graphql-yoga';
import { routeTemplate } from './route-template.ts';
import { useTracing } from './use-tracing.ts';

/**
 * OpenTelemetry for the gateway. This module (and every OpenTelemetry package) is loaded only
 * by a dynamic import when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: with tracing off none of it
 * is in the process. Spans go over OTLP/HTTP (JSON); W3C `traceparent` is injected into every
 * upstream call by the official undici instrumentation.
 */
export interface Tracing {
  /** The yoga plugin: a span per request and per operation, child spans per root resolver. */
  plugin: Plugin;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  endpoint: string;
  serviceName: string;
  /** Replaces the OTLP exporter (tests may inject the SDK's in-memory one). */
  exporter?: SpanExporter;
}

export function startTracing(options: TracingOptions): Tracing {
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: options.endpoint });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Global context manager (AsyncLocalStorage) and W3C trace-context propagator.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new UndiciInstrumentation({
        // Span names and URLs carry the route template: no query string (filters hold
        // logins and emails), no id or uid.
        startSpanHook: (request: UndiciRequest) => ({
          [ATTR_URL_FULL]: `${request.origin}${routeTemplate(request.path)}`,
        }),
        requestHook: (span: Span, request: UndiciRequest) => {
          span.updateName(`${request.method} ${routeTemplate(request.path)}`);
          span.setAttribute(ATTR_URL_FULL, `${request.origin}${routeTemplate(request.path)}`);
        },
      }),
    ],
  });
  const tracer: Tracer = provider.getTracer('cube-gateway');
  return {
    plugin: useTracing({ tracer, api: { context, propagation, trace, SpanKind, SpanStatusCode } }),
    flush: () => provider.forceFlush(),
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
