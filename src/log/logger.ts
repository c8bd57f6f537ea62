import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import PinoPretty from 'pino-pretty';
import { kubernetesErrorStatus, type ApiServerLocation } from '../kube/api-error.ts';

export type { Logger } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly pretty?: boolean;
  /** The API server Caravan talks to, named when it cannot be reached. */
  readonly apiServer?: ApiServerLocation;
  /** Where JSON lines go; standard output unless given (tests read them back). */
  readonly destination?: DestinationStream;
}

/**
 * `err` as one small object: a Kubernetes client error as the API server's Status (`code`,
 * `reason`, `message`) instead of client-node's dump of the body and every response header, and a
 * request that got no answer as where it went and what to check (issue 11). Others as pino has them.
 */
export function errSerializer(apiServer: ApiServerLocation = {}): (error: unknown) => unknown {
  return (error: unknown) => {
    const status = kubernetesErrorStatus(error, apiServer);
    if (status) return { type: 'KubernetesError', code: status.code, reason: status.reason, message: status.message };
    return error instanceof Error ? stdSerializers.err(error) : error;
  };
}

/**
 * Caravan's logger: JSON lines (pino) for log collectors, or human-readable lines when standard
 * output is a terminal. Lines about a job carry `namespace` and `job` fields (and `deployment`
 * where one is involved), so a collector can filter a rollout without parsing messages.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const base = { name: 'caravan', level, serializers: { err: errSerializer(opts.apiServer) } };
  if (pretty) return pino(base, PinoPretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true, destination: 1 }));
  return opts.destination ? pino(base, opts.destination) : pino(base);
}

/** A logger that drops everything (tests and library use without a logger). */
export const silentLogger: Logger = pino({ level: 'silent' });
