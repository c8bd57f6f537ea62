/** Where something was written in the input file: 1-based line and column, as compilers print them. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * How bad a finding is, which decides the exit code:
 * - `fatal`: the file cannot be read as a Nomad job (syntax, unset variable); no manifest (exit 2).
 * - `omitted`: part of the job is left out of the manifest, or could not be converted (exit 1).
 * - `ignored`: a value other than Nomad's default, of a field that does nothing on Kubernetes, is
 *   left out (exit 1). Printed as a warning; the HTTP API registers the job with it in Warnings.
 * - `invalid`: the converted manifest fails Caravan's validation (exit 1).
 * - `warning`: worth knowing, the manifest is still complete (exit 0).
 */
export type Severity = 'fatal' | 'omitted' | 'ignored' | 'invalid' | 'warning';

/** Findings that let the job run as written, with a warning: the HTTP API registers the job. */
export const isWarning = (d: Diagnostic): boolean => d.severity === 'warning' || d.severity === 'ignored';

export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly pos?: Position | undefined;
}

export type ExitCode = 0 | 1 | 2;

export function exitCodeFor(diagnostics: readonly Diagnostic[]): ExitCode {
  if (diagnostics.some((d) => d.severity === 'fatal')) return 2;
  if (diagnostics.some((d) => d.severity === 'omitted' || d.severity === 'ignored' || d.severity === 'invalid')) return 1;
  return 0;
}

/** `file:LINE,COL: message`, the form editors and terminals turn into links. */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = d.pos ? `${file}:${d.pos.line},${d.pos.column}` : file;
  const prefix = isWarning(d) ? 'warning: ' : d.severity === 'invalid' ? 'invalid NomadJob: ' : '';
  return `${where}: ${prefix}${d.message}`;
}
