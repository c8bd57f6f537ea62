import { supportedDrivers, type AffinitySpec, type ConstraintSpec, type ContainerConfigSpec, type Driver, type LifecycleSpec, type ResourcesSpec, type TaskSpec } from '../model/nomad-job-spec.ts';
import { unsupportedFieldMessage } from '../model/unsupported-fields.ts';
import { BlockReader, present } from './block-reader.ts';
import { blockToValue, isObject, type HclValue } from './job-tree.ts';
import { affinities, constraints } from './placement.ts';
import { optionalBlock, restart } from './policies.ts';
import { services } from './services.ts';
import { noReasons, resourceReasons, taskReasons } from './unsupported-nomad.ts';

/** A task, and the placement rules it carries, which Nomad applies to its whole group anyway. */
export interface ConvertedTask {
  readonly task: TaskSpec;
  readonly constraints: ConstraintSpec[];
  readonly affinities: AffinitySpec[];
}

export function task(r: BlockReader): ConvertedTask {
  const driver = r.string('driver') ?? '';
  if (driver !== '' && !supportedDrivers.includes(driver as Driver)) {
    const reason = `tasks run as containers, so the driver must be one of ${supportedDrivers.join(', ')}; the task is kept as written for you to rewrite`;
    r.omit(r.attribute('driver')!.pos, unsupportedFieldMessage(`driver ${JSON.stringify(driver)}`, reason), `${r.path}.driver`);
  }
  const spec = present<TaskSpec>({
    name: r.block.labels[0] ?? '',
    driver,
    config: config(r),
    env: r.stringMap('env'),
    resources: optionalBlock(r, 'resources', 'resources', resources),
    services: services(r),
    meta: r.stringMap('meta'),
    user: r.string('user'),
    killTimeout: r.duration('kill_timeout'),
    killSignal: r.string('kill_signal'),
    shutdownDelay: r.duration('shutdown_delay'),
    leader: r.bool('leader'),
    lifecycle: optionalBlock(r, 'lifecycle', 'lifecycle', lifecycle),
    restart: optionalBlock(r, 'restart', 'restart', restart),
  });
  const placement = { constraints: constraints(r) ?? [], affinities: affinities(r) ?? [] };
  r.finish('task', taskReasons);
  return { task: spec, ...placement };
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
    else r.omit(at(key), `config.${key} is left out: expected ${kind === 'string' ? 'a string' : 'a list of strings'}, got ${JSON.stringify(v)}`, `${r.path}.config.${specKey}`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(configKeys, key)) out[key] = v;
  }
  return out as ContainerConfigSpec;
}

function resources(r: BlockReader): ResourcesSpec {
  const spec = present<ResourcesSpec>({
    cpu: r.number('cpu'),
    cores: r.number('cores'),
    memoryMB: r.number('memory', 'memoryMB'),
    memoryMaxMB: r.number('memory_max', 'memoryMaxMB'),
  });
  r.finish('resources', resourceReasons);
  return spec;
}

function lifecycle(r: BlockReader): LifecycleSpec | undefined {
  const hook = r.oneOf('hook', ['prestart', 'poststart', 'poststop'] as const);
  const sidecar = r.bool('sidecar');
  r.finish('lifecycle', noReasons);
  if (hook !== undefined) return present<LifecycleSpec>({ hook, sidecar });
  r.omit(r.block.pos, 'this lifecycle block is left out: it needs a hook (prestart, poststart or poststop)', r.path);
  return undefined;
}
