// Bearer tokens → roles. 401 for a missing/unknown token, 403 for a known token without the right.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '@siliconalley/http';
import type { Role, StoredToken, TokenRepository } from '@siliconalley/store';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: StoredToken;
  }
}

export function authenticate(tokens: TokenRepository): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    // The auth scheme is case-insensitive (RFC 7235 §2.1): `bearer` and `BEARER` are `Bearer`.
    const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9_\-.~+/]+=*)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      next(new HttpProblem(401, 'send `Authorization: Bearer <token>`; ask an operator for a token (npm run token)', {}, { 'WWW-Authenticate': 'Bearer' }));
      return;
    }
    tokens
      .findActive(match[1])
      .then((principal) => {
        if (!principal) throw new HttpProblem(401, 'the token is unknown or revoked', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
        req.principal = principal;
        next();
      })
      .catch(next);
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
