import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unsupportedGroupFields, unsupportedJobFields, unsupportedTaskFields } from '../../../src/model/unsupported-fields.ts';
import { convert, convertFile, fixture, messages } from './helpers.ts';

const file = 'unsupported.nomad.hcl';
const source = readFileSync(fixture(file), 'utf8');

/** Each line marked `# <mark>` in the fixture, as the LINE,COL of its first word and that word. */
const marked = (mark: string) =>
  source.split('\n').flatMap((line, i) => {
    if (!line.includes(`# ${mark}`)) return [];
    const column = line.search(/\S/) + 1;
    const what = /^\s*([\w-]+(?: "[^"]*")?)/.exec(line)![1]!;
    return [[`${i + 1},${column}`, what] as const];
  });
const refused = marked('refused');
const ignored = marked('ignored');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('what Caravan cannot run', async () => {
  const result = await convertFile(fixture(file));
  const lines = messages(result, file);

  it('converts the rest, exits with 1 and still gives a manifest', () => {
    expect(result.exitCode).toBe(1);
    expect(result.manifest?.spec.taskGroups.map((g) => g.tasks.map((t) => t.name))).toEqual([['app', 'batch-helper']]);
    expect(result.manifest?.spec.taskGroups[0]?.tasks[0]).toEqual({
      name: 'app',
      driver: 'docker',
      config: { image: 'registry.example/app:1', ports: ['http'] },
      resources: { cpu: 100, memoryMB: 128 },
    });
  });

  it.each(refused)(`reports ${file}:%s (%s) as not supported by Caravan`, (at, what) => {
    const driver = what === 'driver' ? 'driver "exec"' : what;
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file}:${at}: ${escapeRegExp(driver)} is not supported by Caravan: .+`)));
  });

  it.each(ignored)(`warns that ${file}:%s (%s) is ignored, as it does nothing on Kubernetes`, (at, what) => {
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${file}:${at}: warning: (group "app" task "app": )?${escapeRegExp(what)}( = \\S+)? is ignored: .+`)),
    );
  });

  it('reports nothing else, and says each once', () => {
    expect(lines.filter((l) => l.includes('is not supported by Caravan'))).toHaveLength(refused.length);
    expect(lines.filter((l) => l.includes(' is ignored: '))).toHaveLength(ignored.length);
    expect(lines.filter((l) => !l.includes('is not supported by Caravan') && !l.includes(' is ignored: '))).toEqual([]);
  });

  it.each([
    ['vault', unsupportedJobFields['vault']!.reason],
    ['volume "data"', unsupportedGroupFields['volumes']!.reason],
    ['template', unsupportedTaskFields['templates']!.reason],
    ['artifact', unsupportedTaskFields['artifacts']!.reason],
  ])('gives %s the reason the NomadJob schema gives', (what, reason) => {
    expect(lines).toContainEqual(expect.stringContaining(`: ${what} is not supported by Caravan: ${reason}`));
  });

  it('gives an ignored logs block the reason the NomadJob schema refuses it with', () => {
    expect(lines).toContainEqual(expect.stringContaining(`: warning: group "app" task "app": logs is ignored: ${unsupportedTaskFields['logs']!.reason}`));
  });
});

const minimal = (inside: string, taskInside = '') => `job "app" {
${inside}
  group "app" {
    task "app" {
      driver = "docker"
      config {
        image = "x"
      }
${taskInside}
    }
  }
}
`;

describe('other refusals', () => {
  it.each([
    [
      'a dynamic block',
      minimal('  dynamic "constraint" {\n    for_each = ["a"]\n    content {\n      attribute = constraint.value\n    }\n  }'),
      'job.nomad.hcl:2,3: dynamic "constraint" is not supported by Caravan: dynamic blocks are not expanded by caravan convert: write out the blocks it generates',
    ],
    [
      'an unknown attribute',
      minimal('  prority = 50'),
      'job.nomad.hcl:2,3: prority is not supported by Caravan: it is not a field of a job block that Caravan knows',
    ],
    [
      'multiregion',
      minimal('  multiregion {\n    strategy {\n      max_parallel = 1\n    }\n  }'),
      `job.nomad.hcl:2,3: multiregion is not supported by Caravan: ${unsupportedJobFields['multiregion']!.reason}`,
    ],
    [
      'a check option',
      minimal('', '      service {\n        port = "80"\n        check {\n          type = "tcp"\n          initial_status = "passing"\n        }\n      }'),
      'job.nomad.hcl:13,11: initial_status is not supported by Caravan: checks run as Kubernetes probes, which have no equivalent',
    ],
    ['a value of the wrong type', minimal('  priority = "high"'), 'job.nomad.hcl:2,3: priority is left out: expected a number, got "high"'],
    [
      'a malformed duration',
      minimal('', '      kill_timeout = "10 seconds"'),
      'job.nomad.hcl:9,7: kill_timeout is left out: expected a duration like "10s" or "5m", got "10 seconds"',
    ],
    [
      'a job ID that is not a DNS label',
      minimal('').replace('job "app"', 'job "My_App"'),
      `job.nomad.hcl:1,1: job ID "My_App" cannot be the NomadJob's metadata.name: it must be a DNS label (lowercase letters, digits and '-', at most 63 characters); rename the job`,
    ],
  ])('reports %s with its position (exit 1)', async (_what, hcl, message) => {
    const result = await convert(hcl);
    expect(messages(result)).toEqual([message]);
    expect(result.exitCode).toBe(1);
  });

  it.each([
    [
      minimal('  type = "batch"\n  update {\n    max_parallel = 2\n  }'),
      'job.nomad.hcl:3,3: invalid NomadJob: Job type "batch" does not allow update block (spec.update)',
    ],
    [
      minimal('', '      constraint {\n        attribute = "${attr.os.name}"\n        value = "ubuntu"\n      }'),
      'job.nomad.hcl:9,7: invalid NomadJob: attribute "${attr.os.name}" has no Kubernetes node label',
    ],
  ])('points validation errors at the field they are about (%#)', async (hcl, message) => {
    const result = await convert(hcl);
    expect(messages(result)).toEqual([expect.stringContaining(message)]);
    expect(result.exitCode).toBe(1);
  });

  it('maps namespace to metadata.namespace and task-level constraints to the group, as Nomad applies them', async () => {
    const hcl = minimal('  namespace = "shop"', '      constraint {\n        attribute = "${attr.kernel.name}"\n        value = "linux"\n      }');
    const result = await convert(hcl);
    const { manifest } = result;
    expect(messages(result)).toEqual([]);
    expect(manifest?.metadata).toEqual({ name: 'app', namespace: 'shop' });
    expect(manifest?.spec.taskGroups[0]?.constraints).toEqual([{ attribute: '${attr.kernel.name}', value: 'linux' }]);
  });
});

describe('files that are not a job', () => {
  it.each([
    [
      'a syntax error',
      'job "x" {\n  group "g" {\n    count =\n  }\n}\n',
      ['job.nomad.hcl:3,12: Invalid expression; Expected the start of an expression, but found an invalid expression token.'],
    ],
    [
      'an unclosed block',
      'job "x" {\n  group "g" {\n}\n',
      [
        'job.nomad.hcl:1,9: Unclosed configuration block; There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
      ],
    ],
    ['no job block', 'variable "x" {\n  default = 1\n}\n', ['job.nomad.hcl: Missing job block: a Nomad job file needs a job "name" { … } block']],
    ['two job blocks', `${minimal('')}job "b" {\n}\n`, ['job.nomad.hcl:13,1: Duplicate job block: a job file holds one job']],
  ])("fails with exit 2 and the parser's positioned message on %s", async (_what, hcl, expected) => {
    const result = await convert(hcl);
    expect(result.exitCode).toBe(2);
    expect(result.manifest).toBeUndefined();
    expect(messages(result)).toEqual(expected);
  });
});
