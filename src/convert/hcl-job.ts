import { unsupportedFieldMessage } from '../model/unsupported-fields.ts';
import type { Diagnostic } from './diagnostics.ts';
import { parseHcl, type HclParser } from './hcl.ts';
import type { Block } from './job-tree.ts';
import { resolveReferences } from './resolve.ts';
import { buildScope, type VariableInputs } from './variables.ts';

const fileLevel = new Set(['job', 'variable', 'variables', 'locals']);

/**
 * The job block of an HCL job file with its variables, locals and functions evaluated. No job
 * when the file cannot be read as a job (a fatal diagnostic says why).
 */
export async function hclJobTree(
  parser: HclParser,
  filename: string,
  source: string,
  inputs: VariableInputs,
): Promise<{ job?: Block; diagnostics: Diagnostic[] }> {
  const parsed = await parseHcl(parser, filename, source);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  const { root } = parsed;
  const diagnostics: Diagnostic[] = [];
  const [job, ...extraJobs] = root.blocks.filter((b) => b.type === 'job');
  if (!job) diagnostics.push({ severity: 'fatal', message: 'Missing job block: a Nomad job file needs a job "name" { … } block' });
  for (const extra of extraJobs) diagnostics.push({ severity: 'fatal', pos: extra.pos, message: 'Duplicate job block: a job file holds one job' });
  const reason = 'a Nomad job file holds only job, variable, variables and locals blocks';
  for (const b of root.blocks.filter((b) => !fileLevel.has(b.type)))
    diagnostics.push({ severity: 'omitted', pos: b.pos, message: unsupportedFieldMessage(b.type, reason) });
  for (const a of root.attributes) diagnostics.push({ severity: 'omitted', pos: a.pos, message: unsupportedFieldMessage(a.name, reason) });

  const { scope, diagnostics: variableDiagnostics } = await buildScope(root, inputs, parser);
  diagnostics.push(...variableDiagnostics);
  if (!job || diagnostics.some((d) => d.severity === 'fatal')) return { diagnostics };
  return { job: await resolveReferences(job, scope, parser.parseExpression, diagnostics), diagnostics };
}
