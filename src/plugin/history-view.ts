import type { JobVersion } from '../model/job-versions.ts';
import type { DeploymentStatus } from '../planner/deployment.ts';
import type { NomadDeployment } from '../resources/nomad-deployment.ts';
import { formatKV, formatTime } from './format.ts';
import { formatSpecDiff, specDiff, type SpecDiffLine } from './spec-diff.ts';

/** One job version as `kubectl nomad history` shows it; `-o json|yaml` prints a list of these. */
export interface HistoryEntry {
  readonly version: number;
  readonly stable: boolean;
  readonly submitDate: string;
  /** An auto-revert recorded this version: it runs the stable spec instead of this failed version. */
  readonly revertedFrom?: number;
  readonly deployment?: { readonly name: string; readonly status: DeploymentStatus; readonly statusDescription: string };
  /** Changes from the next older version kept (with --diff). */
  readonly diff?: readonly SpecDiffLine[];
}

/** Newest first, as `nomad job history` lists them. */
export function historyReport(versions: readonly JobVersion[], deployments: readonly NomadDeployment[], opts: { diff?: boolean } = {}): HistoryEntry[] {
  const ordered = [...versions].sort((a, b) => b.version - a.version);
  return ordered.map((v, i) => {
    const d = deployments.find((x) => x.spec.jobVersion === v.version);
    const older = ordered[i + 1];
    return {
      version: v.version,
      stable: v.stable,
      submitDate: v.submitTime,
      ...(v.revertedFrom !== undefined ? { revertedFrom: v.revertedFrom } : {}),
      ...(d
        ? {
            deployment: {
              name: d.metadata.name,
              status: d.status?.status ?? 'running',
              statusDescription: d.status?.statusDescription ?? 'Deployment is running',
            },
          }
        : {}),
      ...(opts.diff && older ? { diff: specDiff(older.spec, v.spec) } : {}),
    };
  });
}

/** `Version = 1`, `Stable = true`, `Submit Date = …` blocks, with Caravan's revert and deployment lines and an optional diff. */
export function formatHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No job versions recorded yet\n';
  const blocks = entries.map((e) => {
    const kv: [string, string][] = [
      ['Version', String(e.version)],
      ['Stable', String(e.stable)],
      ['Submit Date', formatTime(e.submitDate)],
    ];
    if (e.revertedFrom !== undefined) kv.push(['Reverted From', `${e.revertedFrom} (auto-revert: runs this stable spec until the NomadJob spec changes)`]);
    if (e.deployment) kv.push(['Deployment', `${e.deployment.name} (${e.deployment.status})`]);
    if (e.diff && e.diff.length > 0) kv.push(['Diff', `\n${formatSpecDiff(e.diff)}`]);
    else if (e.diff) kv.push(['Diff', 'none']);
    return formatKV(kv);
  });
  return `${blocks.join('\n\n')}\n`;
}
