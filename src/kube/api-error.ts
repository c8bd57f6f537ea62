import { ApiException } from '@kubernetes/client-node';

/**
 * A failed Kubernetes API call as one small object: the API server's Status (`code`, `reason`,
 * `message`), not client-node's ApiException, whose message is a multi-line dump of the body and
 * every response header (issue 11).
 */
export interface KubernetesErrorStatus {
  /** The HTTP status; 0 when no answer came (the API server could not be reached). */
  readonly code: number;
  /**
   * The Status reason (NotFound, AlreadyExists, Conflict, Forbidden, Invalid, …); when no answer
   * came, the connection error's code (ECONNREFUSED, ENOTFOUND, DEPTH_ZERO_SELF_SIGNED_CERT, …).
   */
  readonly reason: string;
  readonly message: string;
}

/** Which API server a call went to, and from which kubeconfig, so an unreachable one can be named. */
export interface ApiServerLocation {
  /** The kubeconfig cluster's `server` URL. */
  readonly server?: string;
  /** The kubeconfig file in use; undefined for the in-cluster service account. */
  readonly kubeconfig?: string;
}

/** The HTTP status of a failed client-node call, if the API server answered. */
export function apiErrorCode(error: unknown): number | undefined {
  if (error instanceof KubernetesError) return error.status.code === 0 ? undefined : error.status.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A Kubernetes client error told as the API server told it; `cause` keeps the original. */
export class KubernetesError extends Error {
  override readonly name = 'KubernetesError';
  readonly status: KubernetesErrorStatus;

  constructor(status: KubernetesErrorStatus, cause: unknown) {
    super(formatKubernetesError(status), { cause });
    this.status = status;
  }
}

/**
 * The Status of any error the Kubernetes client raised: an ApiException (whatever its body: Status
 * JSON text, a parsed Status, none, or a proxy's HTML page), or a request that got no answer (fetch
 * failed: refused, unknown host, certificate not accepted, …). Undefined for any other error.
 */
export function kubernetesErrorStatus(error: unknown, where: ApiServerLocation = {}): KubernetesErrorStatus | undefined {
  if (error instanceof KubernetesError) return error.status;
  if (error instanceof ApiException) return answeredStatus(error.code, error.body, error.message);
  const failure = connectionFailure(error);
  return failure && unreachableStatus(failure, where);
}

/**
 * The error to throw on: a KubernetesError for a Kubernetes client error (its message the API
 * server's, or where the unreachable server is and what to check), any other error as it was.
 */
export function explainKubernetesError(error: unknown, where: ApiServerLocation): unknown {
  const status = kubernetesErrorStatus(error, where);
  return status && !(error instanceof KubernetesError) ? new KubernetesError(status, error) : error;
}

/** One line for a person, in kubectl's words when the API server answered. */
export function formatKubernetesError(status: KubernetesErrorStatus): string {
  return status.code === 0 ? status.message : `Error from server (${status.reason}): ${status.message}`;
}

// metav1.StatusReason for the codes the API server answers with; a Status body says it itself.
const reasonByCode: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

interface StatusBody {
  readonly code?: unknown;
  readonly reason?: unknown;
  readonly message?: unknown;
}

/** The Status of an answer with an error code: from its body (a Status, or any text), else the code's reason. */
export function answeredStatus(code: number, body: unknown, exceptionMessage = ''): KubernetesErrorStatus {
  const status = statusBody(body);
  const reason = typeof status?.reason === 'string' && status.reason !== '' ? status.reason : (reasonByCode[code] ?? 'Unknown');
  if (typeof status?.message === 'string' && status.message !== '') {
    return { code: typeof status.code === 'number' ? status.code : code, reason, message: status.message };
  }
  return { code, reason, message: (status ? undefined : bodyText(body)) ?? clientMessage(exceptionMessage) ?? `HTTP ${code}` };
}

/** A Status, from the body as client-node keeps it: JSON text, or already parsed (logs, metrics). */
function statusBody(body: unknown): StatusBody | undefined {
  if (typeof body === 'object' && body !== null) return body as StatusBody;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as StatusBody) : undefined;
  } catch {
    return undefined;
  }
}

/** A body that is not a Status (a proxy's error page): its HTML title, or its first line, kept short. */
function bodyText(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  const line = title || body.trim().split('\n')[0]?.trim();
  return line ? line.slice(0, 200) : undefined;
}

/** The "Message:" line of ApiException's dump: what client-node said (e.g. "Unauthorized"). */
function clientMessage(dump: string): string | undefined {
  const message = /^Message: (.*)$/m.exec(dump)?.[1]?.trim();
  // What the generated clients say of every status their OpenAPI document does not list.
  return message && message !== 'Unknown API Status Code!' ? message : undefined;
}

/** A system or TLS error under a request that got no answer. */
interface ConnectionFailure {
  readonly code: string;
  readonly message: string;
  readonly address?: string;
  readonly port?: number;
  readonly hostname?: string;
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
]);

/** How a request failed without an answer, which decides what to suggest. */
type FailureKind = 'connection' | 'certificate' | 'tls';

/**
 * OpenSSL's verify errors and Node's altname check: the server showed a certificate we refuse.
 * Other TLS errors (ERR_SSL_WRONG_VERSION_NUMBER: http on an https URL) are a failed handshake.
 */
function failureKind(code: string): FailureKind | undefined {
  if (connectionCodes.has(code)) return 'connection';
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) return 'certificate';
  if (/^ERR_SSL_|^ERR_TLS_|^EPROTO$/.test(code)) return 'tls';
  return undefined;
}

/**
 * fetch (undici) fails with TypeError('fetch failed') and the reason as its cause; node:https
 * fails with the system error itself; a host with several addresses gives an AggregateError.
 */
function connectionFailure(error: unknown, depth = 0): ConnectionFailure | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const e = error as { code?: unknown; message?: unknown; address?: unknown; port?: unknown; hostname?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && failureKind(e.code) !== undefined) {
    return {
      code: e.code,
      message: typeof e.message === 'string' ? e.message : e.code,
      ...(typeof e.address === 'string' ? { address: e.address } : {}),
      ...(typeof e.port === 'number' ? { port: e.port } : {}),
      ...(typeof e.hostname === 'string' ? { hostname: e.hostname } : {}),
    };
  }
  const inner = connectionFailure(e.cause, depth + 1) ?? (Array.isArray(e.errors) ? connectionFailure(e.errors[0], depth + 1) : undefined);
  if (inner) return inner;
  // fetch's TypeError with a cause of a kind not listed above is still a request that got no answer.
  if (error instanceof TypeError && e.message === 'fetch failed') {
    const cause = e.cause as { message?: unknown } | undefined;
    return { code: 'FETCH_FAILED', message: typeof cause?.message === 'string' ? cause.message : 'fetch failed' };
  }
  return undefined;
}

function unreachableStatus(failure: ConnectionFailure, where: ApiServerLocation): KubernetesErrorStatus {
  const address =
    where.server ?? (failure.address !== undefined ? `${failure.address}${failure.port !== undefined ? `:${failure.port}` : ''}` : failure.hostname);
  const server = `the Kubernetes API server${address ? ` at ${address}` : ''}`;
  const kubeconfig = `the KUBECONFIG in use${where.kubeconfig ? ` (${where.kubeconfig})` : ''}`;
  const detail = `${failure.code}: ${failure.message}`;
  switch (failureKind(failure.code)) {
    case 'certificate':
      return unreachable(
        failure,
        `cannot reach ${server}: its TLS certificate was not accepted (${detail}). Check the cluster's certificate-authority in ${kubeconfig}: is it this server's?`,
      );
    case 'tls':
      return unreachable(
        failure,
        `cannot reach ${server}: the TLS handshake failed (${detail}). Check the server address in ${kubeconfig}: https, and the API server's port?`,
      );
    default:
      return unreachable(
        failure,
        `cannot reach ${server}: ${plainWords(failure)} (${failure.code}). Is the cluster running? For the local cluster: npm run caravan -- cluster status; otherwise check the server address in ${kubeconfig}.`,
      );
  }
}

function unreachable(failure: ConnectionFailure, message: string): KubernetesErrorStatus {
  return { code: 0, reason: failure.code, message };
}

function plainWords(failure: ConnectionFailure): string {
  switch (failure.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return failure.hostname ? `the host name ${failure.hostname} does not resolve` : 'the host name does not resolve';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      return 'no answer in time';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    default:
      return failure.message;
  }
}
