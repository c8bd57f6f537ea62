import { jobTypes, type NomadJobSpec } from '../model/nomad-job-spec.ts';
import { apiVersion } from '../resources/api-version.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import type { ObjectMeta } from '../resources/object-meta.ts';
import { BlockReader, newSpecContext, present, type SpecContext } from './block-reader.ts';
import { taskGroup } from './group-to-spec.ts';
import type { Block } from './job-tree.ts';
import { affinities, constraints, spreads } from './placement.ts';
import { optionalBlock, parameterized, periodic, reschedule, update } from './policies.ts';
import { jobAccepted } from './ignored-nomad.ts';
import { jobReasons } from './unsupported-nomad.ts';

/** Kubernetes names (metadata.name, namespaces) are DNS labels. */
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface ConvertedJob {
  readonly manifest: NomadJob;
  readonly ctx: SpecContext;
}

/**
 * The NomadJob manifest for a `job` block, in either input format's tree. Pure: what cannot be
 * mapped is reported in ctx.diagnostics with its position and left out of the manifest.
 */
export function jobToManifest(job: Block): ConvertedJob {
  const ctx = newSpecContext();
  const r = new BlockReader(job, 'spec', ctx);
  const name = job.labels[0] ?? '';
  ctx.positions.set('metadata.name', job.pos);
  if (!dnsLabel.test(name)) {
    r.omit(
      job.pos,
      `job ID ${JSON.stringify(name)} cannot be the NomadJob's metadata.name: it must be a DNS label (lowercase letters, digits and '-', at most 63 characters); rename the job`,
      'metadata.name',
    );
  }
  const namespace = r.string('namespace', 'namespace');
  if (namespace !== undefined && !dnsLabel.test(namespace)) {
    r.omit(r.attribute('namespace')!.pos, `namespace ${JSON.stringify(namespace)} is left out: a Kubernetes namespace must be a DNS label`);
  }
  const jobReschedule = optionalBlock(r, 'reschedule', 'reschedule', reschedule);
  const spec = present<NomadJobSpec>({
    type: r.oneOf('type', jobTypes),
    priority: r.number('priority'),
    region: r.string('region'),
    datacenters: r.strings('datacenters'),
    constraints: constraints(r),
    affinities: affinities(r),
    spreads: spreads(r),
    meta: r.stringMap('meta'),
    update: optionalBlock(r, 'update', 'update', update),
    periodic: optionalBlock(r, 'periodic', 'periodic', periodic),
    parameterized: optionalBlock(r, 'parameterized', 'parameterized', parameterized),
    // Only Nomad's API JSON has `Stop`; a job file cannot say it.
    stop: r.bool('stop'),
    taskGroups: r.blocks('group').map((block, i) => taskGroup(new BlockReader(block, `spec.taskGroups[${i}]`, ctx), jobReschedule)),
  });
  r.finish('job', jobReasons, jobAccepted);
  const metadata = present<ObjectMeta>({ name, namespace: namespace !== undefined && dnsLabel.test(namespace) ? namespace : undefined });
  return { manifest: { apiVersion, kind: 'NomadJob', metadata, spec }, ctx };
}
