/** The site's HTML pages. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.ts';

export function registerPageRoutes(_app: FastifyInstance, _context: AppContext): void {}
