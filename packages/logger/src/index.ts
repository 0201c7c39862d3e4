import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs on stdout (one line per event) for the log shipper. Authorization headers and
 * token-looking fields are redacted: tokens must never reach a log.
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token', '*.token', 'password', '*.password'],
      censor: '[redacted]',
    },
    // A token can also sit in a logged URL or message: redact anything token-shaped on the way out.
    hooks: { streamWrite: (line: string) => line.replace(/sa_[A-Za-z0-9_-]{43}/g, 'sa_[redacted]') },
  };
  return destination ? pino(options, destination) : pino(options);
}
