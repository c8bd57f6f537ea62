import { pino, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/**
 * Caravan's logger: JSON lines (pino) for log collectors, or human-readable lines when standard
 * output is a terminal. Lines about a job carry `namespace` and `job` fields (and `deployment`
 * where one is involved), so a collector can filter a rollout without parsing messages.
 */
export function createLogger(opts: { level?: LogLevel; pretty?: boolean } = {}): Logger {
  const level = opts.level ?? 'info';
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const base = { name: 'caravan', level };
  return pretty ? pino(base, PinoPretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true, destination: 1 })) : pino(base);
}

/** A logger that drops everything (tests and library use without a logger). */
export const silentLogger: Logger = pino({ level: 'silent' });

export function parseLogLevel(value: string): LogLevel {
  if ((logLevels as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`--log-level must be one of ${logLevels.join(', ')}, not ${JSON.stringify(value)}`);
}
