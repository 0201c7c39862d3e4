// The internal APIs (indicator, alerting) answer the gateway and the platform's own services only:
// every request carries the secret they share (INTERNAL_API_SECRET), checked here, in one place,
// in constant time. Tokens and roles are the gateway's business; this says "the caller is one of us".
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from './problem';

/** The header that carries INTERNAL_API_SECRET from the gateway and internal clients. */
export const INTERNAL_AUTH_HEADER = 'x-sa-internal-auth';

/** Headers an internal client sends (none without a secret: the server then refuses it). */
export function internalAuthHeaders(secret: string | undefined): Record<string, string> {
  return secret ? { [INTERNAL_AUTH_HEADER]: secret } : {};
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Requests that carried the secret (req objects are per request: nothing to clean up). */
const authenticated = new WeakSet<Request>();

/** Whether the request carried the internal secret (what the actor headers may be trusted on). */
export function isInternalCaller(req: Request): boolean {
  return authenticated.has(req);
}

/**
 * Refuses (401, problem+json) every request without the shared secret in INTERNAL_AUTH_HEADER. Both
 * sides are hashed first, so that timingSafeEqual compares equal lengths and the time says nothing
 * about the secret's length or content.
 */
export function requireInternalAuth(secret: string): RequestHandler {
  if (!secret) throw new Error('requireInternalAuth needs a secret (INTERNAL_API_SECRET)');
  const expected = digest(secret);
  return (req, _res, next) => {
    const given = req.headers[INTERNAL_AUTH_HEADER];
    if (typeof given === 'string' && timingSafeEqual(digest(given), expected)) {
      authenticated.add(req);
      next();
      return;
    }
    next(
      new HttpProblem(
        401,
        'this internal API answers the gateway and the platform services only: call it through the gateway (/api/v1) with a token',
        {},
        { 'WWW-Authenticate': 'SA-Internal realm="siliconalley-internal"' },
      ),
    );
  };
}

/**
 * Who a write is for, named by the gateway (the caller's token prefix and label) for an internal
 * API's audit log. Part of the same trust boundary: believed only from an internal caller.
 */
export const ACTOR_HEADER = 'x-sa-actor';
/** The caller's token label, URI-encoded (header values carry Latin-1 only; labels are often Chinese). */
export const ACTOR_LABEL_HEADER = 'x-sa-actor-label';

/** The actor headers the gateway sets on a forwarded write. */
export function actorHeaders(id: string, label: string | null): Record<string, string> {
  return label ? { [ACTOR_HEADER]: id, [ACTOR_LABEL_HEADER]: encodeURIComponent(label) } : { [ACTOR_HEADER]: id };
}

/** The actor label of a request, URI-decoded; one that does not decode is kept as sent. */
export function actorLabelOf(req: Request): string | null {
  const raw = req.get(ACTOR_LABEL_HEADER);
  try {
    return raw ? decodeURIComponent(raw) : null;
  } catch {
    return raw ?? null;
  }
}
