/** The JSON API, compatible with Hugging Face's papers API. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

export function registerApiRoutes(_app: FastifyInstance, _context: AppContext): void {}
