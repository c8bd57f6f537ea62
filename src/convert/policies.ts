import {
  healthChecks,
  type EphemeralDiskSpec,
  type ParameterizedSpec,
  type PeriodicSpec,
  type RescheduleSpec,
  type RestartSpec,
  type UpdateSpec,
} from '../model/nomad-job-spec.ts';
import { BlockReader, present } from './block-reader.ts';
import { noReasons, restartReasons } from './unsupported-nomad.ts';

/** Reads the optional block `type` of `parent` with `read`, under the spec field `key`. */
export function optionalBlock<T>(parent: BlockReader, type: string, key: string, read: (r: BlockReader) => T): T | undefined {
  const block = parent.singleBlock(type);
  return block ? read(new BlockReader(block, `${parent.path}.${key}`, parent.ctx)) : undefined;
}

export function update(r: BlockReader): UpdateSpec {
  const spec = present<UpdateSpec>({
    maxParallel: r.number('max_parallel'),
    healthCheck: r.oneOf('health_check', healthChecks),
    minHealthyTime: r.duration('min_healthy_time'),
    healthyDeadline: r.duration('healthy_deadline'),
    progressDeadline: r.duration('progress_deadline'),
    autoRevert: r.bool('auto_revert'),
    autoPromote: r.bool('auto_promote'),
    canary: r.number('canary'),
    stagger: r.duration('stagger'),
  });
  r.finish('update', noReasons);
  return spec;
}

export function restart(r: BlockReader): RestartSpec {
  const spec = present<RestartSpec>({
    attempts: r.number('attempts'),
    interval: r.duration('interval'),
    delay: r.duration('delay'),
    mode: r.oneOf('mode', ['fail', 'delay'] as const),
  });
  r.finish('restart', restartReasons);
  return spec;
}

export function reschedule(r: BlockReader): RescheduleSpec {
  const spec = present<RescheduleSpec>({
    attempts: r.number('attempts'),
    interval: r.duration('interval'),
    delay: r.duration('delay'),
    delayFunction: r.oneOf('delay_function', ['constant', 'exponential', 'fibonacci'] as const),
    maxDelay: r.duration('max_delay'),
    unlimited: r.bool('unlimited'),
  });
  r.finish('reschedule', noReasons);
  return spec;
}

export function ephemeralDisk(r: BlockReader): EphemeralDiskSpec {
  const spec = present<EphemeralDiskSpec>({ sizeMB: r.number('size', 'sizeMB'), sticky: r.bool('sticky'), migrate: r.bool('migrate') });
  r.finish('ephemeral_disk', noReasons);
  return spec;
}

/** `cron` (one) and `crons` (several) both become crons[]. */
export function periodic(r: BlockReader): PeriodicSpec {
  const cron = r.string('cron', 'crons');
  const crons = [...(cron !== undefined ? [cron] : []), ...(r.strings('crons') ?? [])];
  // "cron" is the only spec_type Nomad has; anything else is reported by finish().
  if (r.block.attributes.some((a) => a.name === 'spec_type' && a.value === 'cron')) r.attribute('spec_type');
  const spec = present<PeriodicSpec>({ crons, prohibitOverlap: r.bool('prohibit_overlap'), timeZone: r.string('time_zone'), enabled: r.bool('enabled') });
  r.finish('periodic', noReasons);
  return spec;
}

export function parameterized(r: BlockReader): ParameterizedSpec {
  const spec = present<ParameterizedSpec>({
    payload: r.oneOf('payload', ['optional', 'required', 'forbidden'] as const),
    metaRequired: r.strings('meta_required'),
    metaOptional: r.strings('meta_optional'),
  });
  r.finish('parameterized', noReasons);
  return spec;
}
