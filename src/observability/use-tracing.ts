import type { context, propagation, Span, SpanKind, SpanStatusCode, Tracer, trace } from '@opentelemetry/api';
import { type GraphQLSchema, isObjectType } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { operationInfo } from './operation-info.ts';
import { currentRequestScope } from './request-scope.ts';

/** The OpenTelemetry API, handed in by `tracing.ts` so that this file imports none of it at runtime. */
export interface OtelApi {
  context: typeof context;
  propagation: typeof propagation;
  trace: typeof trace;
  SpanKind: typeof SpanKind;
  SpanStatusCode: typeof SpanStatusCode;
}

/**
 * Spans: `POST /graphql` per HTTP request (continuing an incoming `traceparent`), one per
 * operation named `<type> <name>`, and one per root field resolver (the resolvers that call
 * the upstream; the upstream HTTP calls are the undici instrumentation's spans under them).
 * The request's trace id goes into its request scope, and from there into every log line.
 */
export function useTracing({ tracer, api }: { tracer: Tracer; api: OtelApi }): Plugin {
  const { context, propagation, trace, SpanKind, SpanStatusCode } = api;
  const wrapped = new WeakSet<GraphQLSchema>();

  const inSpan = <T>(span: Span, run: () => T): T => context.with(trace.setSpan(context.active(), span), run);
  const end = (span: Span, error?: unknown) => {
    if (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  /** Runs `fn` in `span` and ends the span when its result (a value or a promise) settles. */
  const around = (span: Span, fn: () => unknown): unknown => {
    let result: unknown;
    try {
      result = inSpan(span, fn);
    } catch (err) {
      end(span, err);
      throw err;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          end(span);
          return value;
        },
        (err: unknown) => {
          end(span, err);
          throw err;
        },
      );
    }
    end(span, result instanceof Error ? result : undefined);
    return result;
  };

  const operationSpan = (args: { document: unknown; operationName?: string | null | undefined }) => {
    const { name, type } = operationInfo(args.document as never, args.operationName);
    const span = tracer.startSpan(`${type} ${name ?? '(anonymous)'}`, {
      attributes: { 'graphql.operation.type': type, 'graphql.operation.name': name ?? '' },
    });
    return span;
  };
  const endOperation = (span: Span, result: unknown) => {
    const errors = !isAsyncIterable(result) && (result as { errors?: unknown[] } | undefined)?.errors;
    if (errors && errors.length > 0) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };

  return {
    instrumentation: {
      request({ request }, run) {
        const parent = propagation.extract(context.active(), Object.fromEntries(request.headers));
        const span = tracer.startSpan(
          `${request.method} ${new URL(request.url).pathname}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method } },
          parent,
        );
        const scope = currentRequestScope();
        if (scope) scope.traceId = span.spanContext().traceId;
        return context.with(trace.setSpan(parent, span), () => around(span, run)) as ReturnType<typeof run>;
      },
    },
    onSchemaChange({ schema }) {
      if (wrapped.has(schema)) return;
      wrapped.add(schema);
      for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
        if (!root || !isObjectType(root)) continue;
        for (const field of Object.values(root.getFields())) {
          const resolve = field.resolve;
          if (!resolve) continue;
          field.resolve = (source, args, ctx, info) =>
            around(
              tracer.startSpan(`resolve ${info.parentType.name}.${info.fieldName}`, {
                attributes: { 'graphql.field.path': `${info.parentType.name}.${info.fieldName}` },
              }),
              () => resolve(source, args, ctx, info),
            );
        }
      }
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const span = operationSpan(args);
      setExecuteFn((execArgs) => inSpan(span, () => executeFn(execArgs)));
      return { onExecuteDone: ({ result }) => endOperation(span, result) };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const span = operationSpan(args);
      setSubscribeFn((subArgs) => inSpan(span, () => subscribeFn(subArgs)));
      return {
        onSubscribeResult: ({ result }) => endOperation(span, result),
        onSubscribeError: ({ error }) => end(span, error),
      };
    },
  };
}
