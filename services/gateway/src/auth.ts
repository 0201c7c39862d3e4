// Bearer tokens → roles. 401 for a missing/unknown token, 403 for a known token without the right.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { HttpProblem } from '@siliconalley/http';
import type { Logger } from '@siliconalley/logger';
import type { Role, StoredToken, TokenRepository } from '@siliconalley/store';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: StoredToken;
  }
}

export interface AuthOptions {
  /**
   * How long a token found active is trusted without asking the database again (ms); 0: every
   * request asks. A revocation then takes effect within this time. Unknown and revoked tokens are
   * never cached. Default 0 (the gateway passes TOKEN_CACHE_MS).
   */
  cacheMs?: number;
  /** Told when the token store fails (the request then gets a 503). */
  logger?: Logger;
  /** Clock in ms (tests move it instead of waiting). */
  now?: () => number;
}

/** Entries kept at most; the cache starts over when full (it is a shortcut, never the truth). */
const CACHE_LIMIT = 10_000;

export function authenticate(tokens: TokenRepository, opts: AuthOptions = {}): RequestHandler {
  const cacheMs = opts.cacheMs ?? 0;
  const now = opts.now ?? Date.now;
  // Keyed by a hash of the token, so that the process holds no token beyond the request.
  const cache = new Map<string, { principal: StoredToken; until: number }>();
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    // The auth scheme is case-insensitive (RFC 7235 §2.1): `bearer` and `BEARER` are `Bearer`.
    const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9_\-.~+/]+=*)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      next(new HttpProblem(401, 'send `Authorization: Bearer <token>`; ask an operator for a token (npm run token)', {}, { 'WWW-Authenticate': 'Bearer' }));
      return;
    }
    const key = cacheMs > 0 ? createHash('sha256').update(match[1]).digest('hex') : '';
    const cached = cacheMs > 0 ? cache.get(key) : undefined;
    if (cached && cached.until > now()) {
      req.principal = cached.principal;
      next();
      return;
    }
    tokens
      .findActive(match[1])
      .then((principal) => {
        if (!principal) {
          if (cacheMs > 0) cache.delete(key);
          throw new HttpProblem(401, 'the token is unknown or revoked', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        }
        if (cacheMs > 0) {
          if (cache.size >= CACHE_LIMIT) cache.clear();
          cache.set(key, { principal, until: now() + cacheMs });
        }
        req.principal = principal;
        next();
      })
      .catch((err: unknown) => {
        if (err instanceof HttpProblem) return next(err);
        // The token store did not answer (database down or timing out): the request may succeed
        // shortly, it is not the server's fault in the sense of a bug, and nothing leaks.
        opts.logger?.warn({ err }, 'token lookup failed');
        next(new HttpProblem(503, 'the token cannot be checked right now (token store unavailable); retry shortly', {}, { 'Retry-After': '5' }));
      });
  };
}

export interface AuthFailureLimitOptions {
  /** Failed authentications (401) per client address per window; past it, 429 for the rest of the window. */
  limit: number;
  windowMs?: number;
  /** Addresses remembered at most (bounded memory): the oldest window is forgotten first. */
  maxAddresses?: number;
  now?: () => number;
}

/**
 * A limit per client address, in front of the token lookup: an address that failed to authenticate
 * `limit` times in a fixed window gets 429 (Retry-After: the rest of the window) for every request
 * until the window is over, before its token costs a database lookup. Bogus tokens are throttled and
 * guessing is slowed down; a client with a good token never fails, so it is never counted.
 *
 * Failures are counted when the response is a 401, not when a request starts (as express-rate-limit
 * counts): a busy client's concurrent requests are never refused for being many. A burst of bad
 * tokens sent at once costs at most its own size in lookups before the limit applies.
 * Addresses are keyed as express-rate-limit keys them (IPv6 by /56 network): behind a reverse
 * proxy, TRUST_PROXY_HOPS must be set, or every client shares the proxy's address.
 */
export function authFailureLimit(opts: AuthFailureLimitOptions): RequestHandler {
  const windowMs = opts.windowMs ?? 60_000;
  const maxAddresses = opts.maxAddresses ?? 100_000;
  const now = opts.now ?? Date.now;
  // Insertion order is window order (a window is re-inserted when it starts): oldest first.
  const windows = new Map<string, { failures: number; resetAt: number }>();
  const forgetOld = (t: number) => {
    for (const [key, w] of windows) {
      if (w.resetAt > t && windows.size < maxAddresses) break;
      windows.delete(key);
    }
  };
  const failed = (key: string) => {
    const t = now();
    const w = windows.get(key);
    if (w && w.resetAt > t) {
      w.failures += 1;
      return;
    }
    windows.delete(key);
    forgetOld(t);
    windows.set(key, { failures: 1, resetAt: t + windowMs });
  };
  return (req, res, next) => {
    const key = ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const t = now();
    const w = windows.get(key);
    if (w && w.resetAt > t && w.failures >= opts.limit) {
      const seconds = Math.max(1, Math.ceil((w.resetAt - t) / 1000));
      next(
        new HttpProblem(
          429,
          `more than ${opts.limit} failed authentications per ${Math.round(windowMs / 1000)} s from this address; retry in ${seconds} s with a valid token`,
          {},
          { 'Retry-After': String(seconds) },
        ),
      );
      return;
    }
    res.once('finish', () => {
      if (res.statusCode === 401) failed(key);
    });
    next();
  };
}

/** Allows the listed roles only. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const role = req.principal?.role;
    if (!role || !roles.includes(role)) {
      next(new HttpProblem(403, `this route needs the role ${roles.join(' or ')}; the token has the role ${role ?? 'none'}`));
      return;
    }
    next();
  };
}
