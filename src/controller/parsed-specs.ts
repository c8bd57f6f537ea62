import type { NomadJobSpec } from '../model/nomad-job-spec.ts';
import { parseNomadJob, type ParsedJob } from '../model/validate.ts';

/**
 * parseNomadJob, remembered per spec object. A cached NomadJob or job version keeps the same spec
 * object until the informer replaces it, so a reconcile parses only what changed since the last
 * one instead of the job and all its versions every time (about 60 µs each). Weak: a spec the
 * caches dropped is forgotten with it.
 */
export class ParsedSpecs {
  private readonly parsed = new WeakMap<NomadJobSpec, { name: string; namespace: string; result: ParsedJob }>();

  parse(name: string, namespace: string, spec: NomadJobSpec): ParsedJob {
    const known = this.parsed.get(spec);
    if (known && known.name === name && known.namespace === namespace) return known.result;
    const result = parseNomadJob(name, namespace, spec);
    this.parsed.set(spec, { name, namespace, result });
    return result;
  }
}
