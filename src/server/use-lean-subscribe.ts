import {
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  getOperationAST,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * Subscriptions (graphql-ws and SSE alike) run on a lean executor: the source stream the
 * subscription field returns, and one `execute` per event with the event as root value (the
 * spec's MapSourceToResponseEvent). yoga's executor does the same through a chain of async
 * iterators built for incremental delivery (@defer/@stream, which this schema has not): some
 * thirty objects and two suspended generators per open subscription, where this keeps one
 * object. Registered before every plugin that wraps `subscribeFn`, so they wrap this one.
 *
 * What yoga's executor adds is kept: errors of the execution arguments (variables) carry
 * BAD_USER_INPUT and HTTP 400, and an error of the source stream is reported at the operation.
 */
export function useLeanSubscribe(): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(leanSubscribe as never);
    },
  };
}

type SubscribeResult = AsyncIterableIterator<ExecutionResult> | ExecutionResult;

export function leanSubscribe(args: ExecutionArgs): SubscribeResult | Promise<SubscribeResult> {
  const stream = createSourceEventStream(args);
  if (stream instanceof Promise) return stream.then((resolved) => responsesOf(args, resolved));
  return responsesOf(args, stream);
}

function responsesOf(args: ExecutionArgs, stream: AsyncIterable<unknown> | ExecutionResult): SubscribeResult {
  if (isAsyncIterable(stream)) return new EventResponses(args, stream[Symbol.asyncIterator]());
  // Errors before the subscription field ran (no path) are the arguments' own.
  for (const error of stream.errors ?? []) {
    if (error.path) continue;
    const extensions = error.extensions as Record<string, unknown>;
    extensions.http ??= {};
    (extensions.http as Record<string, unknown>).status = 400;
    extensions.code = 'BAD_USER_INPUT';
  }
  return stream;
}

/** The source's events mapped to execution results, pulled one at a time. */
class EventResponses implements AsyncIterableIterator<ExecutionResult> {
  readonly #args: ExecutionArgs;
  readonly #source: AsyncIterator<unknown>;

  constructor(args: ExecutionArgs, source: AsyncIterator<unknown>) {
    this.#args = args;
    this.#source = source;
  }

  // Not an async function: a pending next() (the normal state of an open subscription)
  // then holds no suspended frame, only the source's promise and this reaction.
  next(): Promise<IteratorResult<ExecutionResult>> {
    return this.#source.next().then(
      (event) => (event.done ? { done: true, value: undefined } : this.#execute(event.value)),
      (error: unknown) => {
        throw this.#atOperation(error);
      },
    );
  }

  async #execute(event: unknown): Promise<IteratorResult<ExecutionResult>> {
    try {
      return { done: false, value: await execute({ ...this.#args, rootValue: event }) };
    } catch (error) {
      // As an async iterator mapped over the source: a failed mapping closes the source.
      await this.return();
      throw error;
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.#source.return?.();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    if (typeof this.#source.throw === 'function') {
      await this.#source.throw(error);
      return { done: true, value: undefined };
    }
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #atOperation(error: unknown): GraphQLError {
    const original = error instanceof Error ? error : new Error(String(error));
    const operation = getOperationAST(this.#args.document, this.#args.operationName);
    return new GraphQLError(original.message, { originalError: original, nodes: operation ? [operation] : null });
  }
}
