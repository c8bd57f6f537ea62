import type { NetworkSpec, PortSpec, RescheduleSpec, TaskGroupSpec } from '../model/nomad-job-spec.ts';
import { BlockReader, nonEmpty, present } from './block-reader.ts';
import { affinities, constraints, spreads } from './placement.ts';
import { ephemeralDisk, optionalBlock, reschedule, restart, update } from './policies.ts';
import { services } from './services.ts';
import { task, type ConvertedTask } from './task-to-spec.ts';
import { groupReasons, networkReasons, portReasons } from './unsupported-nomad.ts';

/** `jobReschedule`: the job-level reschedule block, which Nomad merges under each group's, field by field. */
export function taskGroup(r: BlockReader, jobReschedule: RescheduleSpec | undefined): TaskGroupSpec {
  const tasks = r.blocks('task').map((block, i) => task(new BlockReader(block, `${r.path}.tasks[${i}]`, r.ctx)));
  const groupReschedule = optionalBlock(r, 'reschedule', 'reschedule', reschedule);
  const merged = jobReschedule || groupReschedule ? { ...jobReschedule, ...groupReschedule } : undefined;
  const groupConstraints = constraints(r) ?? [];
  const groupAffinities = affinities(r) ?? [];
  const spec = present<TaskGroupSpec>({
    name: r.block.labels[0] ?? '',
    count: r.number('count'),
    update: optionalBlock(r, 'update', 'update', update),
    constraints: nonEmpty([...groupConstraints, ...movedFromTasks(r, tasks, 'constraints', groupConstraints.length)]),
    affinities: nonEmpty([...groupAffinities, ...movedFromTasks(r, tasks, 'affinities', groupAffinities.length)]),
    spreads: spreads(r),
    meta: r.stringMap('meta'),
    restart: optionalBlock(r, 'restart', 'restart', restart),
    reschedule: merged,
    ephemeralDisk: optionalBlock(r, 'ephemeral_disk', 'ephemeralDisk', ephemeralDisk),
    networks: nonEmpty(r.blocks('network').map((block, i) => network(new BlockReader(block, `${r.path}.networks[${i}]`, r.ctx)))),
    services: services(r),
    shutdownDelay: r.duration('shutdown_delay'),
    tasks: tasks.map((t) => t.task),
  });
  r.finish('group', groupReasons);
  return spec;
}

/** Task-level constraints or affinities, appended to the group's; their positions move along for messages. */
function movedFromTasks<K extends 'constraints' | 'affinities'>(r: BlockReader, tasks: readonly ConvertedTask[], key: K, offset: number): ConvertedTask[K] {
  const moved: ConvertedTask[K][number][] = [];
  tasks.forEach((t, i) =>
    t[key].forEach((item, j) => {
      const pos = r.ctx.positions.get(`${r.path}.tasks[${i}].${key}[${j}]`);
      if (pos) r.ctx.positions.set(`${r.path}.${key}[${offset + moved.length}]`, pos);
      moved.push(item);
    }),
  );
  return moved as ConvertedTask[K];
}

function network(r: BlockReader): NetworkSpec {
  const mode = r.string('mode');
  const supportedMode = mode === undefined || mode === 'bridge' || mode === 'host';
  if (!supportedMode) r.omit(r.attribute('mode')!.pos, `network mode ${JSON.stringify(mode)} is not supported by Caravan: Pods use the cluster network, which only bridge and host describe`, `${r.path}.mode`);
  const spec = present<NetworkSpec>({
    mode: supportedMode ? mode : undefined,
    ports: nonEmpty(r.blocks('port').map((block, i) => port(new BlockReader(block, `${r.path}.ports[${i}]`, r.ctx)))),
  });
  r.finish('network', networkReasons);
  return spec;
}

function port(r: BlockReader): PortSpec {
  const spec = present<PortSpec>({ label: r.block.labels[0] ?? '', static: r.number('static'), to: r.number('to') });
  r.finish('port', portReasons);
  return spec;
}
