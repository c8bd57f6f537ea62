import { isDeepStrictEqual } from 'node:util';
import type { NomadJobSpec } from './nomad-job-spec.ts';

/**
 * Drops what Nomad's canonicalization treats as absent: undefined values, and empty maps and
 * lists (Nomad turns empty Meta, Constraints, Affinities and Spreads into nil, so `{}` and a
 * missing block are the same job).
 */
export function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const normal = withoutEmpty(v);
    if (normal === undefined) continue;
    if (Array.isArray(normal) && normal.length === 0) continue;
    if (typeof normal === 'object' && normal !== null && !Array.isArray(normal) && Object.keys(normal).length === 0) continue;
    out[key] = normal;
  }
  return out;
}

/**
 * Whether a submitted spec makes a new job version (Nomad's Job.SpecChanged): any difference
 * does, an identical resubmission does not. Both specs are as stored (API-server defaults
 * applied), so a field written out at its default value is no change.
 */
export function specChanged(previous: NomadJobSpec, submitted: NomadJobSpec): boolean {
  return !isDeepStrictEqual(withoutEmpty(previous), withoutEmpty(submitted));
}

/** Version numbers start at 0 and only grow (Nomad's Version). */
export function nextVersion(latest: number | undefined): number {
  return latest === undefined ? 0 : latest + 1;
}
