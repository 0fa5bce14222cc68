import type { FastifyRequest } from 'fastify';

export type Params = Record<string, unknown>;

/**
 * Rails merges query string and body into one parameter set; SDKs rely on that (some send
 * form bodies, some JSON, some put everything in the query string of a DELETE).
 */
export function requestParams(request: FastifyRequest): Params {
  const query = (request.query ?? {}) as Params;
  const body = request.body && typeof request.body === 'object' ? (request.body as Params) : {};
  return { ...query, ...body };
}

export function stringParam(params: Params, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function objectParam(params: Params, name: string): Params | undefined {
  const value = params[name];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Params) : undefined;
}

/** Rails-style booleans: `true`, `1`, `"true"`, `"1"`. */
export function booleanParam(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  return value === true || value === 1 || value === '1' || value === 'true';
}
