import type { NetworkSpec, RescheduleSpec, TaskGroupSpec } from '../model/nomad-job-spec.ts';
import { BlockReader, nonEmpty, present } from './block-reader.ts';
import { affinities, constraints, spreads } from './placement.ts';
import { ephemeralDisk, optionalBlock, reschedule, restart, update } from './policies.ts';
import { services } from './services.ts';
import { task, type ConvertedTask } from './task-to-spec.ts';
import { groupAccepted } from './ignored-nomad.ts';
import { network } from './network-to-spec.ts';
import { groupReasons } from './unsupported-nomad.ts';

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
    networks: groupNetworks(r, tasks),
    services: services(r),
    shutdownDelay: r.duration('shutdown_delay'),
    tasks: tasks.map((t) => t.task),
  });
  r.finish('group', groupReasons, groupAccepted);
  return spec;
}

/**
 * The group's networks, with the ports of its tasks' own network blocks (deprecated in Nomad)
 * added to the first: a Pod's containers share one network. Their positions move along.
 */
function groupNetworks(r: BlockReader, tasks: readonly ConvertedTask[]): NetworkSpec[] | undefined {
  const networks = r.blocks('network').map((block, i) => network(new BlockReader(block, `${r.path}.networks[${i}]`, r.ctx)));
  const moved = tasks.flatMap((t) => t.ports);
  if (moved.length === 0) return nonEmpty(networks);
  const [first = {}, ...rest] = networks;
  const offset = first.ports?.length ?? 0;
  moved.forEach(({ path }, k) => {
    const pos = r.ctx.positions.get(path);
    if (pos) r.ctx.positions.set(`${r.path}.networks[0].ports[${offset + k}]`, pos);
  });
  return [{ ...first, ports: [...(first.ports ?? []), ...moved.map(({ port }) => port)] }, ...rest];
}

/** Task-level constraints or affinities, appended to the group's; their positions move along for messages. */
function movedFromTasks<K extends 'constraints' | 'affinities'>(r: BlockReader, tasks: readonly ConvertedTask[], key: K, offset: number): ConvertedTask[K] {
  const moved: ConvertedTask[K][number][] = [];
  for (const [i, t] of tasks.entries()) {
    for (const [j, item] of t[key].entries()) {
      const pos = r.ctx.positions.get(`${r.path}.tasks[${i}].${key}[${j}]`);
      if (pos) r.ctx.positions.set(`${r.path}.${key}[${offset + moved.length}]`, pos);
      moved.push(item);
    }
  }
  return moved as ConvertedTask[K];
}
