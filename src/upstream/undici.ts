import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/**
 * The parts of undici the gateway uses, loaded on their own. undici's index loads every
 * dispatcher, fetch, WebSocket, EventSource, the mock and snapshot agents and the HTTP cache
 * (≈ 110 modules, ≈ 3.4 MB of heap held for the life of the process); the gateway needs a
 * pool, an agent and two interceptors. Types come from undici's own declarations.
 *
 * undici's index also gives every dispatcher its request methods (`request`, `stream`, …):
 * done here the same way, once. `test/gateway/loaded-modules.test.ts` checks that the index
 * stays out of a production gateway, and every upstream test uses what is loaded here.
 */

const require = createRequire(import.meta.url);

const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as typeof Undici.Dispatcher;
const api = require('undici/lib/api/index.js') as object;
if (!('request' in Dispatcher.prototype)) Object.assign(Dispatcher.prototype, api);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof Undici.Pool;
export type Pool = Undici.Pool;
export const Agent = require('undici/lib/dispatcher/agent.js') as typeof Undici.Agent;
export type Agent = Undici.Agent;
export const interceptors = {
  retry: require('undici/lib/interceptor/retry.js') as typeof Undici.interceptors.retry,
  redirect: require('undici/lib/interceptor/redirect.js') as typeof Undici.interceptors.redirect,
};
export type { Dispatcher } from 'undici';
