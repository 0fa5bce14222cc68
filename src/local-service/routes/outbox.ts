import type { FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../service-deps.ts';

export async function outboxRoutes(_app: FastifyInstance, _deps: ServiceDeps): Promise<void> {}
