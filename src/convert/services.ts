import type { CheckSpec, CheckType, ServiceSpec } from '../model/nomad-job-spec.ts';
import { BlockReader, nonEmpty, present } from './block-reader.ts';
import { checkAccepted, serviceAccepted } from './ignored-nomad.ts';
import { checkReasons, serviceReasons } from './unsupported-nomad.ts';

const checkTypes: readonly CheckType[] = ['http', 'tcp', 'grpc', 'script'];

/** The `service` blocks of a group, or of the task `taskName`. */
export function services(parent: BlockReader, taskName?: string): ServiceSpec[] | undefined {
  return nonEmpty(parent.blocks('service').map((block, i) => service(new BlockReader(block, `${parent.path}.services[${i}]`, parent.ctx), taskName)));
}

function service(r: BlockReader, taskName: string | undefined): ServiceSpec {
  const spec = present<ServiceSpec>({
    name: r.string('name'),
    // `port = 8080` is a number in HCL; the spec keeps labels and numbers as strings.
    port: r.string('port'),
    provider: r.oneOf('provider', ['nomad', 'consul'] as const),
    tags: r.strings('tags'),
    checks: nonEmpty(r.blocks('check').flatMap((block, i) => check(new BlockReader(block, `${r.path}.checks[${i}]`, r.ctx), taskName) ?? [])),
  });
  r.finish('service', serviceReasons, serviceAccepted(taskName));
  return spec;
}

/** `taskName`: the task of a task-level service, which Nomad's server also writes into each check's `task`. */
function check(r: BlockReader, taskName: string | undefined): CheckSpec | undefined {
  const task = r.string('task');
  const type = r.oneOf('type', checkTypes);
  const spec = present<CheckSpec>({
    name: r.string('name'),
    type,
    port: r.string('port'),
    path: r.string('path'),
    method: r.string('method'),
    protocol: r.oneOf('protocol', ['http', 'https'] as const),
    command: r.string('command'),
    args: r.strings('args'),
    task: task === taskName ? undefined : task,
    grpcService: r.string('grpc_service'),
    interval: r.duration('interval'),
    timeout: r.duration('timeout'),
  });
  r.finish('check', checkReasons, checkAccepted);
  if (type !== undefined) return spec;
  r.omit(r.block.pos, `this check is left out: it needs a type, one of ${checkTypes.join(', ')}`, r.path);
  return undefined;
}
