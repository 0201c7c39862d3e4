// Turns a schema issue into a message for the provider: which field, what it was, what to send.
import type { z } from 'zod';

/** How a path is named to the provider, e.g. `data.site.location.lon` or `header ce_source`. */
export type FieldLabel = (path: readonly PropertyKey[]) => string;

export const dataFieldLabel: FieldLabel = (path) =>
  path.reduce<string>((label, key) => (typeof key === 'number' ? `${label}[${key}]` : `${label}.${String(key)}`), 'data');

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const MAX_SHOWN = 80;

/** A short rendering of what was sent. */
export function showValue(value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // Recursive: a value nested thousands deep overflows the stack (the bindings refuse those first).
    return Array.isArray(value) ? 'a deeply nested array' : 'a deeply nested value';
  }
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN - 1)}…` : json;
}

/**
 * `<field> is missing: <instruction>` or `<field> is <value>: <instruction>`. A custom issue that
 * already says everything (`params.standalone`) is passed through.
 */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown, label: FieldLabel): string {
  if (issue.code === 'custom' && issue.params?.standalone === true) return issue.message;
  const value = valueAt(input, issue.path);
  const what = value === undefined ? 'is missing' : `is ${showValue(value)}`;
  return `${label(issue.path)} ${what}: ${issue.message}`;
}

/** The message of the first issue: the one a provider fixes first. */
export function firstIssueMessage(error: z.ZodError, input: unknown, label: FieldLabel): string {
  const [first] = error.issues;
  return first ? issueMessage(first, input, label) : `${label([])} is invalid`;
}
