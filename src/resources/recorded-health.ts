import type { Health, RecordedHealth } from '../planner/observed-allocation.ts';
import { annotations, labels } from './labels.ts';

/**
 * An allocation's deployment health as recorded: `healthy|unhealthy@<RFC 3339>`, once per
 * deployment membership. The controller keeps it in the deployment's status
 * (`taskGroups.<group>.allocationHealth`, by Pod name); a group too large for that, and Caravan
 * before, keeps it on the Pod (the caravan.dev/deployment-health annotation).
 */
export function parseRecordedHealth(value: string | undefined): RecordedHealth | undefined {
  const match = value?.match(/^(healthy|unhealthy)@(.+)$/);
  if (!match) return undefined;
  const at = new Date(match[2]!).getTime();
  return Number.isNaN(at) ? undefined : { health: match[1] as Health, at };
}

export function formatRecordedHealth(health: Health, at: number): string {
  return `${health}@${new Date(at).toISOString()}`;
}

/** What recordedHealthOf reads of a NomadDeployment. */
interface RecordsHealth {
  readonly status?: { readonly taskGroups?: Readonly<Record<string, { readonly allocationHealth?: Readonly<Record<string, string>> }>> };
}

/** The Pod's deployment health: in its deployment's status (`deployment`, the one it names), else on the Pod. */
export function recordedHealthOf(
  pod: { readonly metadata?: { readonly name?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> } },
  deployment: RecordsHealth | undefined,
): RecordedHealth | undefined {
  const name = pod.metadata?.name;
  const group = pod.metadata?.labels?.[labels.taskGroup];
  const inStatus = name && group ? deployment?.status?.taskGroups?.[group]?.allocationHealth?.[name] : undefined;
  return parseRecordedHealth(inStatus ?? pod.metadata?.annotations?.[annotations.deploymentHealth]);
}
