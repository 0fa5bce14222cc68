import { type ExecutionArgs, parse } from 'graphql';
import { envelop, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { subscribeThroughPlugins } from '../../src/server/subscribe-through-plugins.ts';

// The WebSocket server runs subscriptions through every plugin's subscribe hooks itself
// (one object per open subscription instead of envelop's iterator chain): the same plugins
// must see the same calls, results, ends and errors as through envelop's own subscribe.

type Log = string[];

type AnyPlugin = Plugin<any>;

function pluginsFor(log: Log, source: () => AsyncIterableIterator<number>): AnyPlugin[] {
  return [
    // The engine, as yoga's useEngine sets it.
    { onSubscribe: ({ setSubscribeFn }) => setSubscribeFn((() => source()) as never) },
    {
      onSubscribe({ args }) {
        log.push(`before ${(args.contextValue as { name: string }).name}`);
        return {
          onSubscribeResult() {
            log.push('result');
            return {
              onNext({ result: value, setResult: set }) {
                log.push(`next ${value}`);
                set(((value as unknown as number) * 10) as never);
              },
              onEnd: () => log.push('end A'),
            };
          },
          onSubscribeError({ error, setError }) {
            log.push(`error A ${(error as Error).message}`);
            setError(new Error('masked'));
          },
        };
      },
    },
    {
      onSubscribe({ extendContext }) {
        extendContext({ extended: true });
        return {
          onSubscribeResult: () => ({ onEnd: () => log.push('end B') }),
          onSubscribeError: ({ error }) => log.push(`error B ${(error as Error).message}`),
        };
      },
    },
  ];
}

function numbers(log: Log, fail = false): () => AsyncIterableIterator<number> {
  return async function* () {
    try {
      yield 1;
      yield 2;
      if (fail) throw new Error('source failed');
      yield 3;
    } finally {
      log.push('source closed');
    }
  };
}

const args = (): ExecutionArgs => ({
  schema: undefined as never,
  document: parse('subscription { n }'),
  contextValue: { name: 'ctx' },
});

/** Reads `take` values (all when undefined), then returns; the log of what happened. */
async function run(
  through: 'envelop' | 'hooks',
  make: (log: Log) => () => AsyncIterableIterator<number>,
  take?: number,
) {
  const log: Log = [];
  const plugins = pluginsFor(log, make(log));
  const a = args();
  const subscribe = through === 'envelop' ? envelop({ plugins })().subscribe : viaHooks(plugins);
  const stream = (await subscribe(a)) as AsyncIterableIterator<unknown>;
  const values: unknown[] = [];
  try {
    for (;;) {
      if (take !== undefined && values.length === take) {
        log.push(`return ${JSON.stringify(await stream.return?.())}`);
        break;
      }
      const { done, value } = await stream.next();
      if (done) break;
      values.push(value);
    }
  } catch (error) {
    log.push(`thrown ${(error as Error).message}`);
  }
  return { log, values, context: a.contextValue };
}

const viaHooks = (plugins: AnyPlugin[]) =>
  subscribeThroughPlugins(plugins) as (args: ExecutionArgs) => Promise<unknown>;

describe('subscribeThroughPlugins does what envelop does', () => {
  it('reads a stream to its end', async () => {
    const theirs = await run('envelop', (log) => numbers(log));
    const ours = await run('hooks', (log) => numbers(log));
    expect(ours).toEqual(theirs);
    expect(ours.values).toEqual([10, 20, 30]);
  });

  it('returns a stream early', async () => {
    const theirs = await run('envelop', (log) => numbers(log), 1);
    const ours = await run('hooks', (log) => numbers(log), 1);
    expect(ours).toEqual(theirs);
    expect(ours.log).toContain('end B');
  });

  it('fails a stream through the error handlers', async () => {
    const theirs = await run('envelop', (log) => numbers(log, true));
    const ours = await run('hooks', (log) => numbers(log, true));
    expect(ours).toEqual(theirs);
    expect(ours.log).toContain('thrown masked');
  });

  it('stops at setResultAndStopExecution', async () => {
    const stop: AnyPlugin = {
      onSubscribe: ({ setResultAndStopExecution }) => setResultAndStopExecution({ errors: [] } as never),
    };
    const later: AnyPlugin = { onSubscribe: () => void expect.unreachable() };
    const plugins = [stop, later];
    expect(await viaHooks(plugins)(args())).toEqual(await envelop({ plugins })().subscribe(args()));
  });

  it('gives way to a plugin that instruments subscribe', () => {
    expect(subscribeThroughPlugins([{ instrumentation: { subscribe: (_payload, wrapped) => wrapped() } }])).toBe(
      undefined,
    );
  });
});
