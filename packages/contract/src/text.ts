// Text a provider sends must be well-formed Unicode. JSON can spell an unpaired surrogate
// ("\uD800"); stored as UTF-8 it would become U+FFFD, so two different ids would collapse onto one
// stored id and a distinct event would count as a duplicate. One refinement, on every free string
// the contract takes (envelope attributes and data); breaking it is `schema_invalid`.
import type { z } from 'zod';

/** With the `u` flag, paired surrogates read as one code point: `\p{Cs}` matches only unpaired ones. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** `String.prototype.isWellFormed` (ES2024), without its lib types. */
export const isWellFormedText = (value: string): boolean => !UNPAIRED_SURROGATE.test(value);

export const WELL_FORMED_INSTRUCTION =
  'send text as well-formed Unicode: no unpaired surrogate (e.g. the JSON escape "\\uD800" alone), which UTF-8 cannot store';

/** The refinement: a string schema that also refuses unpaired surrogates. */
export const wellFormed = <S extends z.ZodType<string>>(schema: S) => schema.refine(isWellFormedText, { error: WELL_FORMED_INSTRUCTION });
