import type { ParameterizedSpec } from './nomad-job-spec.ts';

/** Nomad's DispatchPayloadSizeLimit: 16 KiB, checked on the decoded bytes before compression. */
export const dispatchPayloadSizeLimit = 16 * 1024;

export interface DispatchRequest {
  readonly payloadBytes: number;
  readonly meta: Readonly<Record<string, string>>;
}

/** Go's `%v` of a []string: `[a b]`. */
const goList = (keys: readonly string[]) => `[${keys.join(' ')}]`;

/**
 * Nomad's validateDispatchRequest (spec §2.2 steps 4-5), in its order and words: the payload
 * rule, the size limit, unpermitted meta keys, then missing required ones. A default in the
 * parent's meta does not satisfy a required key. Undefined when the dispatch may go ahead.
 */
export function dispatchProblem(p: ParameterizedSpec, req: DispatchRequest): string | undefined {
  const payload = p.payload ?? 'optional';
  if (payload === 'required' && req.payloadBytes === 0) return 'Payload is not provided but required by parameterized job';
  if (payload === 'forbidden' && req.payloadBytes > 0) return 'Payload provided but forbidden by parameterized job';
  if (req.payloadBytes > dispatchPayloadSizeLimit) return `Payload exceeds maximum size; ${req.payloadBytes} > ${dispatchPayloadSizeLimit}`;
  const required = p.metaRequired ?? [];
  const allowed = new Set([...required, ...(p.metaOptional ?? [])]);
  const keys = Object.keys(req.meta);
  const unpermitted = keys.filter((k) => !allowed.has(k));
  if (unpermitted.length > 0) return `Dispatch request included unpermitted metadata keys: ${goList(unpermitted)}`;
  const missing = required.filter((k) => !(k in req.meta));
  if (missing.length > 0) return `Dispatch did not provide required meta keys: ${goList(missing)}`;
  return undefined;
}
