import { Slot } from '../store/compiled-per-shape.ts';
import type { Condition, UserQuery } from './user-filter.ts';

export interface SlottedQuery {
  /** Everything the query's SQL text depends on besides its values. */
  shape: string;
  /** The query with a slot in place of each value, to build its SQL once per shape. */
  template: UserQuery;
  values: unknown[];
}

/** A user query taken apart into its shape and its values (see compiled-per-shape.ts). */
export function withSlots(query: UserQuery): SlottedQuery {
  const values: unknown[] = [];
  // The template is only ever built into SQL, where a slot stands for the value it replaces.
  const slot = <T>(value: T): T => new Slot(values.push(value) - 1) as T;
  const conditions = query.conditions.map((condition): Condition => {
    switch (condition.op) {
      case 'in':
      case 'nin':
        return { ...condition, values: condition.values.map(slot) };
      case 'between':
        return { ...condition, from: slot(condition.from), to: slot(condition.to) };
      default:
        return { ...condition, value: slot(condition.value) } as Condition;
    }
  });
  const template: UserQuery = { conditions, sort: query.sort, offset: slot(query.offset), limit: slot(query.limit) };
  return { shape: JSON.stringify(template), template, values };
}
