import type { NomadDeployment } from '../../../resources/nomad-deployment.ts';
import { isOwnedBy } from '../../../resources/object-meta.ts';
import { patchJobChecked } from '../../job-writer.ts';
import { parseCreateDeployment } from '../create-message.ts';
import { cfErrors, cfRefusals } from '../errors.ts';
import type { CfApiContext, CfRequest } from '../server.ts';
import { deploymentSpec } from '../strategy.ts';
import { jobAccess, namespaceOf, untilCached } from './access.ts';
import { patchMetadata } from './deployments.ts';

/** How long a create waits for the controller to record the version and create its deployment. */
const createWaitMs = 30_000;

/**
 * `POST /v3/deployments` (spec §2.2, §3.3): the chosen revision (or droplet, both job versions;
 * neither: the current spec) becomes a new job version with the request's strategy and options,
 * written to the NomadJob's spec as the Nomad API's revert writes it. The controller records the
 * version and creates its NomadDeployment, which supersedes the app's active one, as CC does.
 */
export async function createDeployment(req: CfRequest, ctx: CfApiContext): Promise<NomadDeployment> {
  const parsed = parseCreateDeployment(req.body);
  if (!parsed.ok) throw cfErrors.unprocessable(parsed.errors);
  const create = parsed.create;
  const job = create.appGuid ? ctx.cf.appByGuid(create.appGuid) : undefined;
  // CC: an app the caller cannot manage reads as one that does not exist (§3.3).
  if (!job || !(await req.may(jobAccess('update', namespaceOf(job), job.metadata.name)))) throw cfErrors.unprocessable([cfRefusals.unusableApp]);
  if (create.scaleOptions.length > 0)
    throw cfErrors.unprocessable([
      `Options ${create.scaleOptions.join(', ')} are not supported by Caravan: change the task group's count or resources in the NomadJob instead`,
    ]);
  const revisions = ctx.cf.revisions(job);
  const latest = revisions.at(-1);
  let target = job.spec;
  if (create.revisionGuid !== undefined) {
    const revision = revisions.find((r) => r.guid === create.revisionGuid);
    if (!revision) throw cfErrors.unprocessable([cfRefusals.revisionMissing]);
    if (revision === latest) throw cfErrors.unprocessable([cfRefusals.rollbackToCurrent]);
    target = revision.version.spec;
  } else if (create.dropletGuid !== undefined) {
    const droplet = revisions.find((r) => r.guid === create.dropletGuid);
    if (!droplet) throw cfErrors.unprocessable([cfRefusals.dropletNotOfApp]);
    target = droplet.version.spec;
  }
  const namespace = namespaceOf(job);
  await patchJobChecked(
    ctx.kc,
    namespace,
    job.metadata.name,
    [{ op: 'replace', path: '/spec', value: deploymentSpec(target, create, new Date().toISOString()) }],
    'deployed',
  );
  const after = latest?.version.version ?? -1;
  // Its status (groups, canaries) is written just after it is created: the strategy is read from
  // it. Its revision (droplet) comes through another watch, which can be a moment behind.
  const created = await untilCached(
    ctx,
    () =>
      ctx.cf.view
        .deployments(namespace)
        .find(
          (d) =>
            d.spec.job === job.metadata.name &&
            d.spec.jobVersion > after &&
            d.metadata.uid !== undefined &&
            isOwnedBy(d, job.metadata.uid) &&
            Object.keys(d.status?.taskGroups ?? {}).length > 0 &&
            ctx.cf.revisions(job).some((r) => r.version.version === d.spec.jobVersion),
        ),
    createWaitMs,
    req.signal,
  );
  if (!created)
    throw cfErrors.serviceUnavailable(
      `The job version was written to NomadJob ${namespace}/${job.metadata.name}, but no controller created its deployment within ${createWaitMs / 1000}s; it will when one leads`,
    );
  const { labels, annotations } = create.metadata;
  if (Object.keys(labels).length > 0 || Object.keys(annotations).length > 0) return patchMetadata(ctx, created, create.metadata);
  return created;
}
