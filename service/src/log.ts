/** Structured logs: one JSON object per line on stdout, which JupyterHub collects with its own log. */
import pino, { type Logger } from 'pino';

export type { Logger };

/** Fields that may hold credentials are censored wherever they appear. */
const REDACT = [
  'token',
  'apiToken',
  'cookieSecret',
  '*.token',
  '*.apiToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'coursework' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
