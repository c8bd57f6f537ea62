import type { NomadJobSpec, TaskGroupSpec } from '../../../src/model/nomad-job-spec.ts';

/** The `example` job of Nomad's API docs: group `cache`, task `redis`. */
export function exampleSpec(overrides: Partial<NomadJobSpec> = {}, group: Partial<TaskGroupSpec> = {}): NomadJobSpec {
  return {
    taskGroups: [
      {
        name: 'cache',
        tasks: [{ name: 'redis', driver: 'docker', config: { image: 'redis:7' } }],
        ...group,
      },
    ],
    ...overrides,
  };
}
