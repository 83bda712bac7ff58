// Validation errors as a client reads them: one {field, message} pair per problem, the field a dotted
// path into the body or query ("timers.3.url"), "(body)" for the body as a whole.
import type { z } from 'zod';

export interface FieldError {
  field: string;
  message: string;
}

/** zod issues as {field, message} pairs a client can show. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      // Named by its whole path: an unknown field inside an object (flow_control.bogus) is not one of the body's.
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: issue.path.length ? issue.path.join('.') : '(body)', message: issue.message }];
  });
}
