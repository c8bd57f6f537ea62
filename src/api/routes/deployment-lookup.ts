import { apiGroup, nomadDeploymentResource } from '../../resources/api-version.ts';
import type { NomadDeployment } from '../../resources/nomad-deployment.ts';
import type { ClusterView } from '../cluster-view.ts';
import { badRequest, serverError } from '../http-error.ts';
import type { Access } from '../kubernetes-access.ts';
import { parseIdPrefix } from '../nomad/ids.ts';
import type { ApiRequest } from '../server.ts';

export const read = (namespace: string | undefined, name?: string): Access => ({
  verb: name ? 'get' : 'list',
  group: apiGroup,
  resource: nomadDeploymentResource.plural,
  ...(namespace ? { namespace } : {}),
  ...(name ? { name } : {}),
});
export const writeIn = (namespace: string): Access => ({ verb: 'patch', group: apiGroup, resource: nomadDeploymentResource.plural, namespace });

/**
 * The NomadDeployment named by a full UUID in the path, in the request's namespace (as Nomad
 * scopes a lookup), with Nomad's errors for the others. Callers authorize before looking up, so
 * a caller without rights learns nothing about what exists.
 */
export function deploymentFor(view: ClusterView, req: ApiRequest, onWrite: boolean): NomadDeployment | undefined {
  const id = req.params['id'];
  if (!id) throw serverError('missing deployment ID');
  const parsed = parseIdPrefix(id, true);
  if (!parsed.ok) throw serverError(`deployment lookup failed: ${parsed.error}`);
  const found = view.deploymentByUid(id.toLowerCase());
  const namespace = req.options.namespace;
  const d = found && (namespace === '*' || found.metadata.namespace === namespace) ? found : undefined;
  if (!d && onWrite) throw serverError('deployment not found');
  return d;
}

/** The body's DeploymentID must be there and name the path's deployment (Nomad's 400s). */
export function bodyFor(req: ApiRequest, requireId: boolean): Record<string, unknown> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request decode failed: expected a JSON object');
  if (requireId) {
    if (!body['DeploymentID']) throw badRequest('DeploymentID must be specified');
    if (body['DeploymentID'] !== req.params['id']) throw badRequest('Deployment ID does not match');
  }
  return body;
}
