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
