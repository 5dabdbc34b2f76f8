/**
 * The error a command raises on purpose when a request cannot be served as asked (bad input, unknown paper). It
 * carries the HTTP status and a stable code; the web layer turns it into a JSON error or a friendly page.
 */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_parameter'
  | 'invalid_id'
  | 'invalid_date'
  | 'not_found'
  | 'paper_not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal_error'
  | 'unavailable';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
