import type { ExecutionArgs } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * envelop's `subscribe`, as yoga's plugins see it, for operations that stay open for hours
 * (graphql-ws subscriptions). Every plugin's `onSubscribe` hook runs as envelop runs it: in
 * plugin order, with the same payload (`subscribeFn`/`setSubscribeFn`, `context`,
 * `extendContext`, `args`, `setResultAndStopExecution`); then their `onSubscribeResult`
 * (with `setResult`), and for a stream their `onNext`, `onEnd` and `onSubscribeError`
 * handlers, with envelop's semantics: each result goes through the `onNext` handlers in
 * order, `onEnd` runs once when the stream is done or returned (not when it fails), and an
 * error of the stream goes through the `onSubscribeError` handlers (each may replace it)
 * before it is thrown.
 *
 * What differs is what an open subscription holds: envelop wraps the stream in up to three
 * async iterators, each closing over the whole call (its arrays of hooks, its callbacks and
 * the ones before): some 50 objects, 3 KB, per subscription. Here it is one object with the
 * handler arrays it needs.
 *
 * A plugin with subscribe instrumentation (which wraps the whole call) would not be honoured
 * here: with one, this returns undefined and the caller keeps envelop's own `subscribe`.
 */
export function subscribeThroughPlugins(
  plugins: readonly (Plugin<any> | undefined | null | false)[],
): ((args: ExecutionArgs) => Promise<unknown>) | undefined {
  const present = plugins.filter((plugin): plugin is Plugin<any> => !!plugin);
  if (present.some((plugin) => (plugin.instrumentation as { subscribe?: unknown } | undefined)?.subscribe)) {
    return undefined;
  }
  const hooks = present.flatMap((plugin) => (plugin.onSubscribe ? [plugin.onSubscribe] : []));
  return async (args) => {
    let subscribeFn: (args: ExecutionArgs) => unknown = noEngine;
    const context = (args.contextValue || {}) as Record<string, unknown>;
    let result: unknown;
    const afterCallbacks: AfterCallbacks[] = [];
    for (const onSubscribe of hooks) {
      let stop = false;
      const after = await onSubscribe({
        subscribeFn: subscribeFn as never,
        setSubscribeFn: (fn) => {
          subscribeFn = fn as never;
        },
        context,
        extendContext: (extension) => {
          Object.assign(context, extension);
        },
        args: args as never,
        setResultAndStopExecution: (stopResult) => {
          result = stopResult;
          stop = true;
        },
      });
      if (after) afterCallbacks.push(after as AfterCallbacks);
      if (stop) break;
    }
    const afterCalls: NonNullable<AfterCallbacks['onSubscribeResult']>[] = [];
    const errorHandlers: ErrorHandler[] = [];
    for (const { onSubscribeResult, onSubscribeError } of afterCallbacks) {
      if (onSubscribeResult) afterCalls.push(onSubscribeResult);
      if (onSubscribeError) errorHandlers.push(onSubscribeError);
    }
    result = result || (await subscribeFn(args));
    const onNext: NextHandler[] = [];
    const onEnd: (() => void)[] = [];
    for (const afterCall of afterCalls) {
      const handlers = afterCall({
        args,
        result,
        setResult: (newResult: unknown) => {
          result = newResult;
        },
      });
      if (handlers?.onNext) onNext.push(handlers.onNext);
      if (handlers?.onEnd) onEnd.push(handlers.onEnd);
    }
    if (!isAsyncIterable(result) || (!onNext.length && !onEnd.length && !errorHandlers.length)) return result;
    return new HookedStream(
      (result as AsyncIterable<unknown>)[Symbol.asyncIterator](),
      args,
      // Copies of their exact length: a grown array keeps room for 17.
      onNext.length ? onNext.slice() : undefined,
      onEnd.length ? onEnd.slice() : undefined,
      errorHandlers.length ? errorHandlers.slice() : undefined,
    );
  };
}

type NextHandler = (payload: { args: unknown; result: unknown; setResult: (result: unknown) => void }) => unknown;
type ErrorHandler = (payload: { error: unknown; setError: (error: unknown) => void }) => void;
interface AfterCallbacks {
  onSubscribeResult?: (payload: {
    args: unknown;
    result: unknown;
    setResult: (result: unknown) => void;
  }) => { onNext?: NextHandler; onEnd?: () => void } | undefined;
  onSubscribeError?: ErrorHandler;
}

function noEngine(): never {
  throw new Error(
    "'subscribe' function missing in the envelop pipeline: no plugin set it (yoga's useEngine should have).",
  );
}

const done = (): IteratorReturnResult<undefined> => ({ done: true, value: undefined });

/** The stream with its plugins' handlers: envelop's map, final and error iterators in one. */
class HookedStream implements AsyncIterableIterator<unknown> {
  readonly #source: AsyncIterator<unknown>;
  readonly #args: ExecutionArgs;
  readonly #onNext: NextHandler[] | undefined;
  readonly #onEnd: (() => void)[] | undefined;
  readonly #onError: ErrorHandler[] | undefined;
  #ended = false;

  constructor(
    source: AsyncIterator<unknown>,
    args: ExecutionArgs,
    onNext: NextHandler[] | undefined,
    onEnd: (() => void)[] | undefined,
    onError: ErrorHandler[] | undefined,
  ) {
    this.#source = source;
    this.#args = args;
    this.#onNext = onNext;
    this.#onEnd = onEnd;
    this.#onError = onError;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (!this.#onError) return this.#source.next().then((result) => this.#mapped(result));
    // One reaction while the source is pending; a failed mapping fails through the handlers too.
    return this.#source.next().then(
      (result) => this.#mapped(result).catch((error: unknown) => this.#failed(error)),
      (error: unknown) => this.#failed(error),
    );
  }

  return(): Promise<IteratorResult<unknown>> {
    // As envelop: the source is asked to return, then the end handlers run, then its answer.
    const returned = this.#source.return ? this.#source.return() : Promise.resolve(done());
    this.#end();
    return returned;
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    if (typeof this.#source.throw === 'function') return this.#source.throw(error);
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** A no-op, as envelop's wrappers have it (disposal goes through `return`). */
  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve();
  }

  async #mapped(result: IteratorResult<unknown>): Promise<IteratorResult<unknown>> {
    if (result.done) {
      this.#end();
      return result;
    }
    const handlers = this.#onNext;
    if (!handlers) return result;
    let value = result.value;
    try {
      for (const onNext of handlers) {
        await onNext({
          args: this.#args,
          result: value,
          setResult: (newResult) => {
            value = newResult;
          },
        });
      }
    } catch (error) {
      // A failed mapping closes the source, then fails the stream (envelop's mapAsyncIterator).
      await this.#source.return?.().catch(() => undefined);
      throw error;
    }
    return { done: false, value };
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const onEnd of this.#onEnd ?? []) onEnd();
  }

  #failed(error: unknown): never {
    let current = error;
    for (const handler of this.#onError ?? []) {
      handler({
        error: current,
        setError: (newError) => {
          current = newError;
        },
      });
    }
    throw current;
  }
}
