/**
 * Errors as the API and the pages show them. The API answers `{"error": "<stable code>", "message": "<sentence>"}`
 * and repeats the sentence in `X-Error-Message` (what Hugging Face's client shows its user); pages answer a friendly
 * HTML page with the same status.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, HttpError } from '../commands/errors.ts';

export { type ErrorCode, HttpError };

export function isApiRequest(request: FastifyRequest): boolean {
  const path = request.url;
  return (
    path.startsWith('/api/') || path === '/api' || path.endsWith('.json') || path === '/healthz' || path === '/readyz'
  );
}

/** Sends the JSON error body and header. Header values must be Latin-1 safe, so the sentence is made ASCII. */
export function sendApiError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .header('x-error-message', message.replace(/[^\x20-\x7e]/g, '?'))
    .type('application/json; charset=utf-8')
    .send({ error: code, message });
}
