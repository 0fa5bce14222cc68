import type { CompiledQuery } from 'kysely';
import { LRUCache } from 'lru-cache';

/**
 * A query's n-th value, in a query built once for every query of its shape; `map` derives the
 * parameter the SQL takes from the value (lower-cased, made a LIKE pattern…).
 */
export class Slot {
  readonly index: number;
  readonly #derive: (value: unknown) => unknown;

  constructor(index: number, derive: (value: unknown) => unknown = (value) => value) {
    this.index = index;
    this.#derive = derive;
  }

  map(derive: (value: unknown) => unknown): Slot {
    return new Slot(this.index, (value) => derive(this.#derive(value)));
  }

  fill(values: readonly unknown[]): unknown {
    return this.#derive(values[this.index]);
  }
}

/** A value of a query that may be built with slots: the value itself, or its slot. */
export function mapValue<T, R>(value: T, derive: (value: T) => R): R {
  return value instanceof Slot ? (value.map(derive as (value: unknown) => unknown) as R) : derive(value);
}

/**
 * Kysely builds and compiles a query afresh on every call; for the small statements of a
 * lookup that costs about as much as running one on the embedded store. A query whose every
 * value is a parameter has one SQL text per shape: here each shape is built (with a `Slot`
 * for each value) and compiled once, and each call fills the slots with its own values.
 * `shape` must name everything the SQL text depends on besides the values.
 */
export function compiledPerShape(max = 200) {
  const templates = new LRUCache<string, CompiledQuery>({ max });
  return <R>(shape: string, values: readonly unknown[], compile: () => CompiledQuery<R>): CompiledQuery<R> => {
    let template = templates.get(shape);
    if (!template) {
      template = compile();
      templates.set(shape, template);
    }
    const parameters = template.parameters.map((parameter) =>
      parameter instanceof Slot ? parameter.fill(values) : parameter,
    );
    return { ...template, parameters } as CompiledQuery<R>;
  };
}
