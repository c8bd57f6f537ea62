import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { latestStableVersion } from '../../../model/job-versions.ts';
import { nomadDeploymentResource } from '../../../resources/api-version.ts';
import type { NomadDeployment } from '../../../resources/nomad-deployment.ts';
import { patchJobChecked } from '../../job-writer.ts';
import { cfErrors, cfRefusals } from '../errors.ts';
import type { CfApiContext, CfRoute } from '../server.ts';
import { cfStatus, continueIntent } from '../status.ts';
import { deploymentFor } from './deployments.ts';
import { fresh, jobAccess, namespaceOf, untilCached } from './access.ts';

/** How long an action waits for the controller to carry it out (as the Nomad API's writes wait). */
const actionWaitMs = 10_000;

async function patchSpec(ctx: CfApiContext, d: NomadDeployment, spec: Record<string, unknown>): Promise<NomadDeployment> {
  const custom = ctx.kc.makeApiClient(CustomObjectsApi);
  return (await custom.patchNamespacedCustomObject(
    { ...nomadDeploymentResource, namespace: namespaceOf(d), name: d.metadata.name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  )) as NomadDeployment;
}

/** The controller's refusal of the intent written at `generation`, if it refused it. */
function refusal(d: NomadDeployment, generation: number): string | undefined {
  const c = d.status?.conditions?.find((x) => x.type === 'IntentHonoured' && (x.observedGeneration ?? 0) >= generation);
  return c?.status === 'False' ? c.message : undefined;
}

/**
 * CF's cancel rolls the app back to its previous revision. Nomad's fail does that only with
 * auto_revert and a stable version; when the controller did not revert, the version before the
 * deployment's (its latest stable one, else the newest) is submitted again, as the Nomad API's
 * revert submits it. Nothing is done when a newer version exists already.
 */
async function rollBack(ctx: CfApiContext, d: NomadDeployment): Promise<void> {
  if (d.status?.revertedJobVersion !== undefined) return;
  const job = ctx.cf.view.job(namespaceOf(d), d.spec.job);
  if (!job) return;
  const revisions = ctx.cf.revisions(job);
  if (revisions.at(-1)?.version.version !== d.spec.jobVersion) return;
  const earlier = revisions.filter((r) => r.version.version < d.spec.jobVersion).map((r) => r.version);
  const previous = latestStableVersion(earlier) ?? earlier.at(-1);
  if (!previous) return;
  await patchJobChecked(ctx.kc, namespaceOf(job), job.metadata.name, [{ op: 'replace', path: '/spec', value: previous.spec }], 'rolled back', (now) => {
    if (now.metadata.generation !== job.metadata.generation)
      throw cfErrors.unprocessable([`Unable to roll back: NomadJob ${namespaceOf(job)}/${job.metadata.name} changed during the cancel`]);
  });
}

/** `POST /v3/deployments/:guid/actions/continue` and `…/cancel` (spec §2.5, §2.6, §3.5). */
export const deploymentActionRoutes: CfRoute[] = [
  {
    method: 'POST',
    path: '/v3/deployments/:guid/actions/continue',
    handler: async (req, ctx) => {
      const d = await deploymentFor(req, ctx, 'patch');
      const facts = ctx.cf.facts(d);
      const status = cfStatus(facts);
      if (status.state !== 'PAUSED') throw cfErrors.unprocessable([cfRefusals.continueNotPaused(status.value, status.reason)]);
      const written = await patchSpec(ctx, d, continueIntent(facts));
      const generation = written.metadata.generation ?? 0;
      // Answer once the controller has moved on, so a client polling for PAUSED does not stop at once.
      const outcome = await untilCached(
        ctx,
        () => {
          const now = fresh(ctx, d);
          const refused = refusal(now, generation);
          if (refused !== undefined) return { refused };
          const observed = (now.status?.observedGeneration ?? 0) >= generation;
          return observed && cfStatus(ctx.cf.facts(now)).state !== 'PAUSED' ? { refused: undefined } : undefined;
        },
        actionWaitMs,
        req.signal,
      );
      if (outcome?.refused !== undefined) throw cfErrors.unprocessable([outcome.refused]);
      return { status: 200 };
    },
  },
  {
    method: 'POST',
    path: '/v3/deployments/:guid/actions/cancel',
    handler: async (req, ctx) => {
      const d = await deploymentFor(req, ctx, 'patch');
      if (!(await req.may(jobAccess('update', namespaceOf(d), d.spec.job)))) throw cfErrors.resourceNotFound('Deployment not found');
      const status = cfStatus(ctx.cf.facts(d));
      if (status.value === 'FINALIZED') throw cfErrors.unprocessable([cfRefusals.cancelFinalized(status.value, status.reason)]);
      if (d.spec.failed !== true) await patchSpec(ctx, d, { failed: true });
      const ended = await untilCached(
        ctx,
        () => {
          const now = fresh(ctx, d);
          return now.status?.status === 'failed' || now.status?.status === 'cancelled' || now.status?.status === 'successful' ? now : undefined;
        },
        actionWaitMs,
        req.signal,
      );
      if (ended?.status?.status === 'failed') await rollBack(ctx, ended);
      return { status: 200 };
    },
  },
];
