import { parseNomadJob } from '../model/validate.ts';
import type { NomadJob } from '../resources/nomad-job.ts';
import { apiJobTree } from './api-json.ts';
import type { SpecContext } from './block-reader.ts';
import { exitCodeFor, type Diagnostic, type ExitCode, type Position } from './diagnostics.ts';
import { loadHclParser } from './hcl.ts';
import { hclJobTree } from './hcl-job.ts';
import type { Block } from './job-tree.ts';
import { jobToManifest } from './to-spec.ts';
import type { VariableInputs } from './variables.ts';

export interface ConvertInput {
  /** The file's name as the user gave it: it prefixes positions in messages. */
  readonly filename: string;
  readonly source: string;
  readonly variables?: VariableInputs;
}

export interface ConvertResult {
  /** What could be converted; absent when the file could not be read as a job (exit code 2). */
  readonly manifest?: NomadJob;
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: ExitCode;
}

/** Nomad reads a file as JSON when its first non-space character is `{`; so does caravan convert. */
export function isJsonJob(source: string): boolean {
  return source.trimStart().startsWith('{');
}

/**
 * A Nomad job file (HCL2, or the API JSON of `nomad job run -output`) as a NomadJob manifest,
 * with everything left out or invalid reported, and Caravan's own validation run on the result.
 * No I/O: the caller reads the file and prints the result.
 */
export async function convertNomadJob(input: ConvertInput): Promise<ConvertResult> {
  const variables = input.variables ?? { cli: new Map() };
  let tree: { job?: Block | undefined; diagnostics: Diagnostic[] };
  if (isJsonJob(input.source)) {
    tree = apiJobTree(input.source);
    if (variables.cli.size > 0)
      tree.diagnostics.push({ severity: 'fatal', message: '-var applies to HCL job files; an API JSON job has its values filled in already' });
  } else {
    tree = await hclJobTree(await loadHclParser(), input.filename, input.source, variables);
  }
  if (!tree.job || tree.diagnostics.some((d) => d.severity === 'fatal')) return { diagnostics: tree.diagnostics, exitCode: 2 };

  const { manifest, ctx } = jobToManifest(tree.job);
  const diagnostics = [...inFileOrder([...tree.diagnostics, ...ctx.diagnostics]), ...validation(manifest, ctx)];
  return { manifest, diagnostics, exitCode: exitCodeFor(diagnostics) };
}

/** Findings sorted by where they are in the file (stable, so unpositioned ones keep their order at the end). */
function inFileOrder(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => (d.pos ? d.pos.line * 1e6 + d.pos.column : Number.MAX_SAFE_INTEGER);
  return [...diagnostics].sort((a, b) => key(a) - key(b));
}

/** Caravan's validation of the manifest, pointed back into the file; problems conversion already reported are not repeated. */
function validation(manifest: NomadJob, ctx: SpecContext): Diagnostic[] {
  const parsed = parseNomadJob(manifest.metadata.name, manifest.metadata.namespace ?? 'default', manifest.spec);
  const errors = parsed.ok ? [] : parsed.errors.filter((e) => !ctx.reported.has(e.path));
  return [
    ...errors.map((e) => ({ severity: 'invalid' as const, pos: positionOf(e.path, ctx.positions), message: `${e.message} (${e.path})` })),
    ...parsed.warnings.map((message) => ({ severity: 'warning' as const, message })),
  ];
}

/** The position of the spec path, or of the nearest enclosing field that has one. */
function positionOf(path: string, positions: ReadonlyMap<string, Position>): Position | undefined {
  for (let p = path; p !== ''; p = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
    const found = positions.get(p);
    if (found) return found;
    if (!/(\.[^.[\]]*|\[\d+\])$/.test(p)) break;
  }
  return undefined;
}
