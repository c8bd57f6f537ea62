import type { NomadDeployment } from '../../../resources/nomad-deployment.ts';
import { nomadDeploymentResource, nomadJobResource } from '../../../resources/api-version.ts';
import type { Access } from '../../kubernetes-access.ts';
import type { CfApiContext, CfRequest } from '../server.ts';

/** The Kubernetes action each CF request amounts to (one SubjectAccessReview each). */
export const deploymentAccess = (verb: Access['verb'], namespace?: string, name?: string): Access => ({
  verb,
  group: nomadDeploymentResource.group,
  resource: nomadDeploymentResource.plural,
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});
export const jobAccess = (verb: Access['verb'], namespace?: string, name?: string): Access => ({
  verb,
  group: nomadJobResource.group,
  resource: nomadJobResource.plural,
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});

export const namespaceOf = (o: { metadata: { namespace?: string | undefined } }) => o.metadata.namespace ?? 'default';

/**
 * The namespaces (CF spaces) whose objects a list shows: all of them for a caller allowed to list
 * cluster-wide, else those it may list in. Others are left out silently, as CC leaves out what a
 * user cannot read.
 */
export async function visibleNamespaces(req: CfRequest, ctx: CfApiContext, accessIn: (namespace?: string) => Access): Promise<(namespace: string) => boolean> {
  if (await req.may(accessIn())) return () => true;
  const allowed = new Set<string>();
  for (const namespace of ctx.cf.view.namespaces()) if (await req.may(accessIn(namespace))) allowed.add(namespace);
  return (namespace) => allowed.has(namespace);
}

/** Waits (briefly) until the caches satisfy `found`, judging again at every change they see. */
export async function untilCached<T>(ctx: CfApiContext, found: () => T | undefined, ms: number, signal?: AbortSignal): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = found();
    if (value !== undefined || Date.now() >= deadline || signal?.aborted) return value;
    await ctx.indexes.changed(Math.min(500, deadline - Date.now()));
  }
}

/** The deployment as the cache holds it now, if it is still the same object. */
export const fresh = (ctx: CfApiContext, d: NomadDeployment): NomadDeployment => ctx.cf.deploymentByGuid(d.metadata.uid ?? '') ?? d;
