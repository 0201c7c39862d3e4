// RFC 9457 problem details: every error the API returns is application/problem+json with a
// human-readable `detail` that says what to change.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Throw from a handler; the error middleware turns it into a problem response. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export function sendProblem(res: Response, status: number, detail: string, extensions: Record<string, unknown> = {}): void {
  const body: ProblemBody = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    instance: res.req?.originalUrl?.split('?')[0],
    ...extensions,
  };
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, 404, `no route ${req.method} ${req.path}: see /api/v1/openapi.json for the routes`);
};

/** Maps body-parser and thrown errors to problems; never leaks a stack trace. */
/** Connection-level failures of the MongoDB driver and kafkajs (by class name: no driver imports here). */
function isUnavailable(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return (
    typeof name === 'string' &&
    /^(MongoNetwork\w*Error|MongoServerSelectionError|MongoNotConnectedError|MongoPoolClearedError|KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|KafkaJSRequestTimeoutError)$/.test(
      name,
    )
  );
}

export function problemErrorHandler(onUnexpected: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof HttpProblem) {
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      sendProblem(res, err.status, err.detail, err.extensions);
      return;
    }
    const e = err as { type?: string; status?: number; limit?: number; message?: string };
    if (e.type === 'entity.too.large') {
      sendProblem(res, 413, `the request body is larger than the limit of ${e.limit} bytes: send fewer events per request`);
      return;
    }
    if (e.type === 'entity.parse.failed') {
      sendProblem(res, 400, `the request body is not valid JSON: ${e.message ?? 'parse error'}`);
      return;
    }
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      sendProblem(res, 415, e.message ?? 'unsupported encoding');
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      sendProblem(res, e.status, e.message ?? 'bad request');
      return;
    }
    onUnexpected(err);
    // A read the database stopped at its time limit (MaxTimeMSExpired, see READ_TIME_LIMIT_MS):
    // the store is too large or too busy to answer now, not a bug and not the request's fault.
    if ((err as { code?: unknown } | null)?.code === 50) {
      res.setHeader('Retry-After', '60');
      sendProblem(res, 503, 'the database did not answer within its time limit (store too large or busy for this query now); retry later');
      return;
    }
    // The database or broker being unreachable is not the request's fault, and it passes: 503.
    if (isUnavailable(err)) {
      res.setHeader('Retry-After', '5');
      sendProblem(res, 503, 'a backing service (database or broker) is unavailable; retry shortly');
      return;
    }
    sendProblem(res, 500, 'an unexpected error occurred; it has been logged');
  };
}
