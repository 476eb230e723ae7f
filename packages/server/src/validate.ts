/**
 * Route validation through one hook, so every route answers bad input the same way:
 * 400 for a body that is not JSON, 415 for a body that is not declared JSON, 422 for JSON of the
 * wrong shape (with zod's issues). Routes read only `c.req.valid(...)`.
 */
import { validator } from 'hono/validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { ApiError, zodIssues } from './errors.js';

export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return validator(target, async (value, c) => {
    if (target === 'json') {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(type)) {
        throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json');
      }
    }
    const result = await schema.safeParseAsync(value);
    if (!result.success) {
      const status = target === 'json' ? 422 : 400;
      throw new ApiError(status, 'validation_failed', 'The request does not have the expected shape', zodIssues(result.error));
    }
    return result.data as z.output<T>;
  });
}

/** Reads a JSON body, mapping a malformed one to 400 instead of Hono's default text answer. */
export async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new ApiError(400, 'bad_request', 'The body is not valid JSON');
  }
}
