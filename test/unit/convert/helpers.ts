import { readFileSync } from 'node:fs';
import path from 'node:path';
import { convertNomadJob, type ConvertResult } from '../../../src/convert/convert.ts';
import { formatDiagnostic } from '../../../src/convert/diagnostics.ts';
import { fromProjectRoot } from '../../../src/project.ts';

export const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);

/** Converts job-file text as `caravan convert FILE -var …` would. */
export function convert(source: string, vars: Record<string, string> = {}, filename = 'job.nomad.hcl'): Promise<ConvertResult> {
  return convertNomadJob({ filename, source, variables: { cli: new Map(Object.entries(vars)) } });
}

export function convertFile(file: string, vars: Record<string, string> = {}): Promise<ConvertResult> {
  return convert(readFileSync(file, 'utf8'), vars, path.basename(file));
}

export const exampleFile = (name: string) => fromProjectRoot('examples', 'nomad', name);

/** The stderr lines `caravan convert` prints for a result. */
export function messages(result: ConvertResult, filename = 'job.nomad.hcl'): string[] {
  return result.diagnostics.map((d) => formatDiagnostic(filename, d));
}
