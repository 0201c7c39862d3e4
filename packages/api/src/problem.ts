import { HttpProblem } from '@siliconalley/http';
import { z } from 'zod';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** Turns zod issues into one readable `detail` line: "asOf: is in the future …; scope: must be …". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const key = i.path.join('.');
      if (i.code === 'unrecognized_keys') return `unknown parameter(s) ${i.keys.map((k) => `\`${k}\``).join(', ')}`;
      return key ? `${key}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** A request part checked by its schema: the parsed value, or a 400 problem naming every issue. */
export function parseOrProblem<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpProblem(400, describeIssues(result.error));
  return result.data;
}

/** The query string of a request checked by its schema (400 with every issue otherwise). */
export function parseQuery<S extends z.ZodType>(schema: S, req: { readonly query: unknown }): z.infer<S> {
  return parseOrProblem(schema, req.query);
}
