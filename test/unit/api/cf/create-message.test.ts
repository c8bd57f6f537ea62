import { describe, expect, it } from 'vitest';
import { parseCreateDeployment } from '../../../../src/api/cf/create-message.ts';
import { deploymentSpec } from '../../../../src/api/cf/strategy.ts';

const app = { relationships: { app: { data: { guid: 'A' } } } };
const errorsOf = (body: unknown) => {
  const r = parseCreateDeployment(body);
  return r.ok ? [] : r.errors;
};

// Spec §3.3: body validation, 422 texts.
describe('POST /v3/deployments body (spec §3.3)', () => {
  it.each([
    ['unknown top-level key', { ...app, foo: 1 }, ["Unknown field(s): 'foo'"]],
    ['droplet and revision', { ...app, droplet: { guid: 'D' }, revision: { guid: 'R' } }, ["Droplet Cannot set both fields 'droplet' and 'revision'"]],
    ['bad strategy', { ...app, strategy: 'potato' }, ["Strategy 'potato' is not a supported deployment strategy"]],
    ['options not an object', { ...app, options: 3 }, ['Options must be an object']],
    ['unknown options', { ...app, options: { foo: 1, baz: 2 } }, ['Options has unsupported key(s): foo, baz']],
    ['max_in_flight 0', { ...app, options: { max_in_flight: 0 } }, ['Max in flight must be an integer greater than 0']],
    ['max_in_flight string', { ...app, options: { max_in_flight: '2' } }, ['Max in flight must be an integer greater than 0']],
    ['web_instances negative', { ...app, options: { web_instances: -1 } }, ['Web instances must be greater than or equal to 0']],
    ['memory 0', { ...app, options: { memory_in_mb: 0 } }, ['Memory in mb must be greater than 0']],
    ['disk not a number', { ...app, options: { disk_in_mb: 'x' } }, ['Disk in mb is not a number']],
    [
      'log rate below -1',
      { ...app, options: { log_rate_limit_in_bytes_per_second: -2 } },
      ['Log rate limit in bytes per second must be greater than or equal to -1'],
    ],
    ['canary not an object', { ...app, strategy: 'canary', options: { canary: 1 } }, ['Options canary must be an object']],
    [
      'canary with rolling',
      { ...app, strategy: 'rolling', options: { canary: { steps: [{ instance_weight: 10 }] } } },
      ['Options canary are only valid for Canary deployments'],
    ],
    [
      'steps not an array of objects',
      { ...app, strategy: 'canary', options: { canary: { steps: [1] } } },
      ['Options canary steps must be an array of objects'],
    ],
    [
      'step with other keys',
      { ...app, strategy: 'canary', options: { canary: { steps: [{ instance_weight: 1, foo: 2 }] } } },
      ['Options canary steps has unsupported key(s): foo'],
    ],
    ['step without weight', { ...app, strategy: 'canary', options: { canary: { steps: [{}] } } }, ['Options canary steps missing key: "instance_weight"']],
    [
      'weight 101',
      { ...app, strategy: 'canary', options: { canary: { steps: [{ instance_weight: 101 }] } } },
      ['Options canary steps instance weight must be an Integer between 1-100 (inclusive)'],
    ],
    [
      'weights descending',
      { ...app, strategy: 'canary', options: { canary: { steps: [{ instance_weight: 50 }, { instance_weight: 10 }] } } },
      ['Options canary steps instance weight must be sorted in ascending order'],
    ],
    ['metadata not an object', { ...app, metadata: 1 }, ['Metadata must be an object']],
    ['metadata extra field', { ...app, metadata: { x: {} } }, ["Metadata has unexpected field(s): 'x'"]],
    ['labels not an object', { ...app, metadata: { labels: 1 } }, ["Metadata 'labels' is not an object"]],
    ['label value invalid', { ...app, metadata: { labels: { a: '-x' } } }, ["Metadata label value error: '-x' starts or ends with invalid characters"]],
  ])('%s', (_name, body, errors) => {
    expect(errorsOf(body)).toEqual(errors);
  });

  it('takes the cli body with explicit nulls (§7.1)', () => {
    const r = parseCreateDeployment({
      droplet: { guid: 'D' },
      options: {
        max_in_flight: 3,
        canary: { steps: [{ instance_weight: 10 }, { instance_weight: 50 }] },
        web_instances: null,
        memory_in_mb: null,
        disk_in_mb: null,
        log_rate_limit_in_bytes_per_second: null,
      },
      strategy: 'canary',
      relationships: { app: { data: { guid: 'A' } } },
    });
    expect(r).toEqual({
      ok: true,
      create: {
        appGuid: 'A',
        dropletGuid: 'D',
        strategy: 'canary',
        maxInFlight: 3,
        canarySteps: [10, 50],
        scaleOptions: [],
        metadata: { labels: {}, annotations: {} },
      },
    });
  });

  it('makes the version: steps wait for continue, the last for promotion; rolling drops canaries', () => {
    const target = {
      meta: { a: 'b' },
      update: { canary: 2, autoPromote: true, maxParallel: 1 },
      taskGroups: [
        { name: 'web', count: 4, update: { canary: 2 }, tasks: [] },
        { name: 'worker', tasks: [] },
      ],
    };
    expect(deploymentSpec(target, { strategy: 'canary', maxInFlight: 2, canarySteps: [25, 50] }, 'T')).toEqual({
      meta: { a: 'b', cf_deployment_requested_at: 'T' },
      update: { autoPromote: false, maxParallel: 2, canarySteps: [{ percent: 25, approval: true }, { percent: 50 }] },
      taskGroups: [
        { name: 'web', count: 4, tasks: [], update: { autoPromote: false, maxParallel: 2, canarySteps: [{ percent: 25, approval: true }, { percent: 50 }] } },
        { name: 'worker', tasks: [] },
      ],
    });
    expect(deploymentSpec(target, { strategy: 'rolling' }, 'T').update).toEqual({ autoPromote: false, maxParallel: 1, canary: 0 });
    expect(deploymentSpec(target, { strategy: 'canary' }, 'T').update).toEqual({ autoPromote: false, maxParallel: 1, canary: 1 });
  });
});
