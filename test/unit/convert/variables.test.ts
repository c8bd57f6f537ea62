import { describe, expect, it } from 'vitest';
import { convertNomadJob } from '../../../src/convert/convert.ts';
import { convert, messages } from './helpers.ts';

/** A one-task job whose config and env are given as HCL. */
const job = (head: string, config: string, env = '') => `${head}
job "app" {
  group "app" {
    task "app" {
      driver = "docker"
      config {
${config}
      }
      env {
${env}
      }
    }
  }
}
`;

const declarations = `
variable "image" {
  type    = string
  default = "redis:7"
}
variable "replicas" {
  type    = number
  default = 1
}
variable "untyped" {
  default = "a"
}
variable "args" {
  type    = list(string)
  default = ["--x"]
}
locals {
  tagged = "\${local.repo}:\${var.untyped}"
  repo   = "registry.example/\${var.image}"
}
`;

const config = async (vars: Record<string, string> = {}, configHcl = '        image = var.image') => {
  const result = await convert(job(declarations, configHcl), vars);
  expect(messages(result)).toEqual([]);
  return result.manifest!.spec.taskGroups[0]!.tasks[0]!.config;
};

describe('input variables and locals', () => {
  it.each([
    ['a default', {}, 'image = var.image', { image: 'redis:7' }],
    ['a -var override', { image: 'redis:7.4' }, 'image = var.image', { image: 'redis:7.4' }],
    ['string interpolation', { untyped: 'v2' }, 'image = "app-${var.untyped}-suffix"', { image: 'app-v2-suffix' }],
    ['locals that use variables and later locals', { untyped: '3' }, 'image = local.tagged', { image: 'registry.example/redis:7:3' }],
    ['a list default', {}, 'image = "x"\n        args = var.args', { image: 'x', args: ['--x'] }],
    ['a list from -var, read as HCL', { args: '["--a", "--b"]' }, 'image = "x"\n        args = var.args', { image: 'x', args: ['--a', '--b'] }],
    ['an index into a list', { args: '["--a", "--b"]' }, 'image = var.args[1]', { image: '--b' }],
    [
      'functions',
      { untyped: 'Web' },
      'image = "${lower(var.untyped)}:${join(".", ["1", "2"])}"\n        command = format("%s-%d", upper(var.untyped), 3)',
      { image: 'web:1.2', command: 'WEB-3' },
    ],
  ])('resolves %s', async (_what, vars, hcl, expected) => {
    expect(await config(vars, `        ${hcl}`)).toEqual(expected);
  });

  it('converts a number -var for a number variable, and a numeric string where a number is wanted', async () => {
    const source = job(declarations, '        image = "x"').replace('group "app" {', 'group "app" {\n    count = var.replicas');
    expect((await convert(source, { replicas: '3' })).manifest?.spec.taskGroups[0]?.count).toBe(3);
    const untyped = source.replace('var.replicas', 'var.untyped');
    expect((await convert(untyped, { untyped: '4' })).manifest?.spec.taskGroups[0]?.count).toBe(4);
  });

  it('reads the variables { } block form, and prefers -var to NOMAD_VAR_ values', async () => {
    const source = job('variables {\n  image = "redis:6"\n}\nvariable "tag" {\n  default = "a"\n}\n', '        image = "${var.image}-${var.tag}"');
    const env = new Map([
      ['image', 'from-env'],
      ['tag', 'env-tag'],
      ['undeclared', 'ignored'],
    ]);
    const result = await convertNomadJob({ filename: 'job.nomad.hcl', source, variables: { cli: new Map([['image', 'from-cli']]), env } });
    expect(messages(result)).toEqual([]);
    expect(result.manifest?.spec.taskGroups[0]?.tasks[0]?.config?.image).toBe('from-cli-env-tag');
  });

  it('refuses a -var that is not a number for a number variable', async () => {
    const result = await convert(job(declarations, '        image = "x"'), { replicas: 'many' });
    expect(result.exitCode).toBe(2);
    expect(messages(result)).toEqual(['job.nomad.hcl: -var replicas: "many" is not a number']);
  });

  it('fails (exit 2, no manifest) on a variable with neither default nor value, naming it', async () => {
    const result = await convert(job('variable "image" {\n  type = string\n}\n', '        image = var.image'));
    expect(result.exitCode).toBe(2);
    expect(result.manifest).toBeUndefined();
    expect(messages(result)).toEqual(['job.nomad.hcl:1,1: Unset variable "image": it has no default, so give it a value with -var image=VALUE']);
  });

  it('fails on a -var for a variable the file does not declare', async () => {
    const result = await convert(job('', '        image = "x"'), { image: 'redis' });
    expect(result.exitCode).toBe(2);
    expect(messages(result)).toEqual(['job.nomad.hcl: -var image: the file declares no variable "image" (add a variable "image" block)']);
  });

  it('reports a reference to an unknown variable where it is written, and leaves the field out', async () => {
    const result = await convert(job('', '        image = "x"\n        command = var.nope'));
    expect(result.exitCode).toBe(1);
    expect(messages(result)).toEqual(['job.nomad.hcl:8,9: config.command is left out: there is no variable named "nope"']);
  });

  it('reports locals that depend on each other', async () => {
    const result = await convert(job('locals {\n  a = local.b\n  b = local.a\n}\n', '        image = "x"'));
    expect(messages(result)).toEqual([
      'job.nomad.hcl:2,3: local.a: local.a depends on itself through other locals',
      'job.nomad.hcl:3,3: local.b: local.b depends on itself through other locals',
    ]);
  });

  it.each([
    ['an unsupported function', 'max(1, 2)', 'the function max() is not supported by caravan convert'],
    ['arithmetic', '"${1 + 2}"', 'the expression "1 + 2" is not supported by caravan convert'],
    ['a template directive', '"%{ if true }x%{ endif }"', 'the expression "%{if true}x%{endif}" is not supported by caravan convert'],
  ])('reports %s with its position', async (_what, expression, expected) => {
    const result = await convert(job('', `        image = "x"\n        command = ${expression}`));
    expect(result.exitCode).toBe(1);
    expect(messages(result)).toEqual([expect.stringContaining(`job.nomad.hcl:8,9: config.command is left out: ${expected}`)]);
  });
});

describe('runtime interpolation', () => {
  it.each([
    '${NOMAD_PORT_http}',
    '${NOMAD_META_owner}',
    '${NOMAD_ALLOC_DIR}/data',
    '${node.unique.name}',
    '${node.datacenter}-${attr.kernel.name}',
    '${meta.rack}',
    '${env["HOME"]}',
    '${HOSTNAME}',
  ])('keeps %s as written, as Nomad does', async (text) => {
    const result = await convert(job('', '        image = "x"', `        VALUE = "${text.replaceAll('"', '\\"').replace('\\"HOME\\"', '"HOME"')}"`));
    expect(messages(result)).toEqual([]);
    expect(result.manifest?.spec.taskGroups[0]?.tasks[0]?.env).toEqual({ VALUE: text });
  });

  it('reads $${ as a literal ${, and resolves variables next to runtime references', async () => {
    const result = await convert(
      job('variable "v" {\n  default = "1"\n}\n', '        image = "x"', '        A = "$${var.v}"\n        B = "${var.v}:${NOMAD_PORT_http}"'),
    );
    expect(result.manifest?.spec.taskGroups[0]?.tasks[0]?.env).toEqual({ A: '${var.v}', B: '1:${NOMAD_PORT_http}' });
  });

  it('keeps runtime references in constraints', async () => {
    const source = job('', '        image = "x"').replace(
      'job "app" {',
      'job "app" {\n  constraint {\n    attribute = "${attr.cpu.arch}"\n    operator  = "="\n    value     = "amd64"\n  }',
    );
    expect((await convert(source)).manifest?.spec.constraints).toEqual([{ attribute: '${attr.cpu.arch}', value: 'amd64' }]);
  });
});
