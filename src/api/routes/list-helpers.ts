import { compileFilter, NOMAD_MAP_FIELDS, nomadParseErrorBody } from '../filter/index.ts';
import { badRequest } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import type { ApiRequest } from '../server.ts';
import type { RouteContext } from './route-table.ts';

/**
 * Which namespaces a list may show. One namespace: the caller must be allowed to list there (403
 * otherwise, as Nomad refuses a namespace the token has no capability in). `*`: every namespace
 * the caller may list in, as Nomad's wildcard lists only the namespaces the token can read;
 * a caller allowed cluster-wide is not asked about each namespace.
 */
export async function namespacesAllowed(
  req: ApiRequest,
  ctx: RouteContext,
  accessIn: (namespace: string | undefined) => Access,
): Promise<(namespace: string) => boolean> {
  const wanted = req.options.namespace;
  if (wanted !== '*') {
    await req.authorize(accessIn(wanted));
    return (namespace) => namespace === wanted;
  }
  if (await req.may(accessIn(undefined))) return () => true;
  const allowed = new Set<string>();
  for (const namespace of ctx.view.namespaces()) if (await req.may(accessIn(namespace))) allowed.add(namespace);
  return (namespace) => allowed.has(namespace);
}

/** `?filter=` as a predicate over the full Nomad object; a bad expression is Nomad's 400. */
export function compileListFilter(source: string): ((value: unknown) => boolean) | undefined {
  if (source === '') return undefined;
  // A misspelt field is Nomad's 400; a missing key of a map field (Meta, Env, …) is not.
  const compiled = compileFilter(source, { mapFields: NOMAD_MAP_FIELDS });
  if (!compiled.ok) throw badRequest(nomadParseErrorBody(compiled.error));
  return compiled.test;
}
