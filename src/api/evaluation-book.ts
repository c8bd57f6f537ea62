import type { JobType } from '../model/nomad-job-spec.ts';
import type { EvaluationInput } from './nomad/evaluation.ts';

/** An evaluation this process handed out, with what tells whether the controller has done it. */
export interface IssuedEvaluation {
  readonly input: Omit<EvaluationInput, 'status' | 'deploymentId'>;
  /** For a job write: the NomadJob generation written; the evaluation is complete once observed. */
  readonly generation?: number;
  /** For a deployment write: the deployment it concerns. */
  readonly deploymentId?: string;
}

/**
 * The evaluations this API handed out with its writes. Caravan has no evaluation broker (the
 * controller acts on the change itself), but Nomad's clients follow the EvalID a write returns
 * (`nomad job run` waits for it to complete, then follows its deployment), so the API remembers
 * what each one stood for. The book is per process and bounded; IDs it does not know are
 * answered from the jobs' versions (each version's placement evaluation), which every replica
 * can compute.
 */
export class EvaluationBook {
  private readonly entries = new Map<string, IssuedEvaluation>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  issue(e: IssuedEvaluation): string {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(e.input.id, e);
    return e.input.id;
  }

  get(id: string): IssuedEvaluation | undefined {
    return this.entries.get(id);
  }

  forJob(namespace: string, job: string): IssuedEvaluation[] {
    return [...this.entries.values()].filter((e) => e.input.namespace === namespace && e.input.jobId === job);
  }

  all(): IssuedEvaluation[] {
    return [...this.entries.values()];
  }
}

export type { JobType };
