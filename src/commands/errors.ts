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
  | 'unavailable'
  | 'unauthorized'
  | 'invalid_token'
  | 'forbidden'
  | 'banned'
  | 'csrf_failed'
  | 'rate_limited'
  | 'conflict'
  | 'already_listed'
  | 'too_old'
  | 'quota_exceeded'
  | 'upstream_unavailable'
  | 'comment_not_found'
  | 'user_not_found'
  | 'link_expired'
  | 'link_used'
  | 'invalid_email'
  | 'invalid_link'
  | 'mail_failed'
  | 'sign_in_failed'
  | 'token_not_found'
  | 'invalid_comment';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (e.g. Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
