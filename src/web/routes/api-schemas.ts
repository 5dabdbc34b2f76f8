/** JSON schemas shared by the API routes' OpenAPI documentation. */
import { Type } from '@sinclair/typebox';

/** Every API error: a stable code and a sentence (also sent in the X-Error-Message header). */
export const ApiError = Type.Object(
  {
    error: Type.String({ description: 'A stable code, e.g. unauthorized, banned, invalid_id, paper_not_found' }),
    message: Type.String({ description: 'A sentence for people (also in the X-Error-Message header)' }),
  },
  { description: 'An error: the sentence says what went wrong' },
);
