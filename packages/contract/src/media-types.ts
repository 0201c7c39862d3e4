// Content types of the CloudEvents bindings, compared the way HTTP does: type/subtype case-
// insensitive, parameters (`; charset=utf-8`) allowed, and JSON only ever in UTF-8.

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
export const CLOUDEVENTS_BATCH_JSON = 'application/cloudevents-batch+json';
export const APPLICATION_JSON = 'application/json';

export interface ContentType {
  /** `type/subtype`, lower case. */
  mediaType: string;
  /** Lower-case charset parameter, when given. */
  charset: string | null;
}

export function parseContentType(value: string | undefined): ContentType | null {
  if (value === undefined) return null;
  const [essence = '', ...params] = value.split(';');
  const mediaType = essence.trim().toLowerCase();
  if (mediaType === '') return null;
  let charset: string | null = null;
  for (const param of params) {
    const [name = '', raw = ''] = param.split('=');
    if (name.trim().toLowerCase() === 'charset')
      charset = raw
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
  }
  return { mediaType, charset };
}

/** UTF-8 or unspecified: the JSON event format allows no other encoding. */
export function isUtf8(contentType: ContentType): boolean {
  return contentType.charset === null || contentType.charset === 'utf-8' || contentType.charset === 'utf8';
}

/** What `datacontenttype` may say: JSON (events.md), with or without parameters. */
export function isJsonDataContentType(value: string): boolean {
  const parsed = parseContentType(value);
  return parsed !== null && parsed.mediaType === APPLICATION_JSON && isUtf8(parsed);
}
