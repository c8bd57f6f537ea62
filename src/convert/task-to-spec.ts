import {
  supportedDrivers,
  type AffinitySpec,
  type ConstraintSpec,
  type ContainerConfigSpec,
  type Driver,
  type LifecycleSpec,
  type PortSpec,
  type ResourcesSpec,
  type TaskSpec,
} from '../model/nomad-job-spec.ts';
import { unsupportedFieldMessage } from '../model/unsupported-fields.ts';
import { BlockReader, present } from './block-reader.ts';
import { resourcesAccepted, taskAccepted } from './ignored-nomad.ts';
import { blockToValue, isObject, type HclValue } from './job-tree.ts';
import { network } from './network-to-spec.ts';
import { affinities, constraints } from './placement.ts';
import { optionalBlock, restart } from './policies.ts';
import { services } from './services.ts';
import { noReasons, resourceReasons, taskReasons } from './unsupported-nomad.ts';

/** A port of a task's own (deprecated) network block, and the spec path it was read at. */
export interface TaskNetworkPort {
  readonly port: PortSpec;
  readonly path: string;
}

/**
 * A task, and what it carries that Nomad applies to its whole group anyway: placement rules, and
 * the ports of a network block in its resources (a Pod has one network).
 */
export interface ConvertedTask {
  readonly task: TaskSpec;
  readonly constraints: ConstraintSpec[];
  readonly affinities: AffinitySpec[];
  readonly ports: TaskNetworkPort[];
}

export function task(r: BlockReader): ConvertedTask {
  const driver = r.string('driver') ?? '';
  if (driver !== '' && !supportedDrivers.includes(driver as Driver)) {
    const reason = `tasks run as containers, so the driver must be one of ${supportedDrivers.join(', ')}; the task is kept as written for you to rewrite`;
    r.omit(r.attribute('driver')!.pos, unsupportedFieldMessage(`driver ${JSON.stringify(driver)}`, reason), `${r.path}.driver`);
  }
  const resourcesBlock = r.singleBlock('resources');
  const taskResources = resourcesBlock && resources(new BlockReader(resourcesBlock, `${r.path}.resources`, r.ctx));
  const { config: taskConfig, ports } = withTaskNetwork(r, config(r), taskResources?.ports ?? []);
  const spec = present<TaskSpec>({
    name: r.block.labels[0] ?? '',
    driver,
    config: taskConfig,
    env: r.stringMap('env'),
    resources: taskResources?.spec,
    services: services(r, r.block.labels[0] ?? ''),
    meta: r.stringMap('meta'),
    user: r.string('user'),
    killTimeout: r.duration('kill_timeout'),
    killSignal: r.string('kill_signal'),
    shutdownDelay: r.duration('shutdown_delay'),
    leader: r.bool('leader'),
    lifecycle: optionalBlock(r, 'lifecycle', 'lifecycle', lifecycle),
    dispatchPayload: optionalBlock(r, 'dispatch_payload', 'dispatchPayload', dispatchPayload),
    restart: optionalBlock(r, 'restart', 'restart', restart),
  });
  const placement = { constraints: constraints(r) ?? [], affinities: affinities(r) ?? [] };
  r.finish('task', taskReasons, taskAccepted);
  return { task: spec, ...placement, ports };
}

/** Spec names for the config keys Caravan reads; every other key of the driver's config passes through as written. */
const configKeys = { image: 'string', command: 'string', args: 'list', entrypoint: 'list', ports: 'list', work_dir: 'string' } as const;
const configSpecKey: Readonly<Record<string, string>> = { work_dir: 'workDir' };

function config(r: BlockReader): ContainerConfigSpec | undefined {
  const block = r.block.blocks.find((b) => b.type === 'config');
  r.blocks('config');
  const attr = r.attribute('config');
  const value = block ? blockToValue(block) : attr?.value;
  if (value === undefined) return undefined;
  const at = (key: string) => block?.attributes.find((a) => a.name === key)?.pos ?? block?.blocks.find((b) => b.type === key)?.pos ?? attr?.pos ?? r.block.pos;
  if (!isObject(value)) {
    r.omit(at('config'), 'config is left out: expected a block of driver settings', `${r.path}.config`);
    return undefined;
  }
  const out: Record<string, HclValue> = {};
  for (const [key, kind] of Object.entries(configKeys)) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    const specKey = configSpecKey[key] ?? key;
    r.ctx.positions.set(`${r.path}.config.${specKey}`, at(key));
    const ok = kind === 'string' ? typeof v === 'string' : Array.isArray(v) && (v as readonly HclValue[]).every((item) => typeof item === 'string');
    if (ok) out[specKey] = v;
    else
      r.omit(
        at(key),
        `config.${key} is left out: expected ${kind === 'string' ? 'a string' : 'a list of strings'}, got ${JSON.stringify(v)}`,
        `${r.path}.config.${specKey}`,
      );
  }
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(configKeys, key)) out[key] = v;
  }
  return out as ContainerConfigSpec;
}

function resources(r: BlockReader): { spec: ResourcesSpec; ports: TaskNetworkPort[] } {
  const spec = present<ResourcesSpec>({
    cpu: r.number('cpu'),
    cores: r.number('cores'),
    memoryMB: r.number('memory', 'memoryMB'),
    memoryMaxMB: r.number('memory_max', 'memoryMaxMB'),
  });
  const ports = r.blocks('network').flatMap((block, i) => {
    const path = `${r.path}.networks[${i}]`;
    return (network(new BlockReader(block, path, r.ctx)).ports ?? []).map((port, j) => ({ port, path: `${path}.ports[${j}]` }));
  });
  r.finish('resources', resourceReasons, resourcesAccepted);
  return { spec, ports };
}

/**
 * Nomad still runs a network block in a task's resources, deprecated since 0.12: the docker
 * driver publishes each of its ports, at the container port its `port_map` gives. On Kubernetes
 * the task's container declares those ports, and they join the group's network (see
 * group-to-spec), where `to` is the container port.
 */
function withTaskNetwork(
  r: BlockReader,
  config: ContainerConfigSpec | undefined,
  ports: TaskNetworkPort[],
): { config: ContainerConfigSpec | undefined; ports: TaskNetworkPort[] } {
  if (ports.length === 0) return { config, ports };
  const { port_map: portMap, ...rest } = config ?? {};
  const mapped = new Map<string, number>();
  for (const entry of Array.isArray(portMap) ? portMap : [portMap]) {
    if (isObject(entry)) for (const [label, to] of Object.entries(entry)) if (typeof to === 'number') mapped.set(label, to);
  }
  const moved = ports.map(({ port, path }) => ({
    port: port.to === undefined && mapped.has(port.label) ? { ...port, to: mapped.get(port.label)! } : port,
    path,
  }));
  const described = moved
    .map(({ port }) => `${JSON.stringify(port.label)}${mapped.has(port.label) ? ` (to = ${mapped.get(port.label)}, from port_map)` : ''}`)
    .join(', ');
  const resourcesBlock = r.block.blocks.find((b) => b.type === 'resources')!;
  const at = resourcesBlock.blocks.find((b) => b.type === 'network')?.pos ?? resourcesBlock.pos;
  r.warn(
    at,
    `task network resources have been deprecated as of Nomad 0.12.0. Please configure networking via group network block. Caravan moves ${moved.length === 1 ? 'port' : 'ports'} ${described} to the group's network`,
  );
  const declared = rest.ports ?? [];
  return { config: { ...rest, ports: [...declared, ...moved.map(({ port }) => port.label).filter((label) => !declared.includes(label))] }, ports: moved };
}

/** Where a dispatched job's payload is written, relative to the task's local/ directory. */
function dispatchPayload(r: BlockReader): { file: string } | undefined {
  const file = r.string('file');
  r.finish('dispatch_payload', noReasons);
  if (file) return { file };
  r.omit(r.block.pos, 'this dispatch_payload block is left out: it needs a file', r.path);
  return undefined;
}

function lifecycle(r: BlockReader): LifecycleSpec | undefined {
  const hook = r.oneOf('hook', ['prestart', 'poststart', 'poststop'] as const);
  const sidecar = r.bool('sidecar');
  r.finish('lifecycle', noReasons);
  if (hook !== undefined) return present<LifecycleSpec>({ hook, sidecar });
  r.omit(r.block.pos, 'this lifecycle block is left out: it needs a hook (prestart, poststart or poststop)', r.path);
  return undefined;
}
