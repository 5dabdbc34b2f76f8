/** Placeholder: filled in by the community work (issue 3). */
import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../app.ts';

export function registerAccountRoutes(_app: FastifyInstance, _context: WebContext): void {}
