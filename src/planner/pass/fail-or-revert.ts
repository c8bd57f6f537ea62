import { descriptions, isActive } from '../deployment.ts';
import { checkProgress } from '../progress.ts';
import { revertDecision } from '../revert.ts';
import { event, healthOf, ofCurrent, type Pass } from './context.ts';

/** The progress deadline (§2.8): missing it fails the deployment; otherwise look again at the next one. */
export function checkDeadline(pass: Pass): void {
  const d = pass.current;
  if (!d || pass.failure) return;
  const mine = ofCurrent(pass);
  const healthyLive = Object.fromEntries(
    Object.keys(d.groups).map((name) => [name, mine.filter((a) => a.group === name && healthOf(pass, a) === 'healthy').length]),
  );
  const progress = checkProgress(d, healthyLive, pass.now);
  if (progress.kind === 'failed') pass.failure = { base: descriptions.progressDeadline, autoRevert: progress.autoRevert };
  else if (progress.nextDeadline !== undefined) pass.requeue.push(progress.nextDeadline);
}

/** A failure decided in this pass ends the deployment, and auto-revert picks the version to run again (§2.9). */
export function failOrRevert(pass: Pass): void {
  const d = pass.current;
  if (!d || !pass.failure || !isActive(d.status)) return;
  const decision = revertDecision(pass.failure.base, pass.failure.autoRevert, pass.o.target.spec, pass.o.history);
  pass.current = { ...d, status: 'failed', statusDescription: decision.description };
  event(pass, 'deployment', 'Warning', 'Failed', `${d.name}: ${decision.description}`);
  if (decision.kind !== 'revert') return;
  pass.revertTo = decision.toVersion;
  event(pass, 'job', 'Warning', 'Reverted', `running job version ${decision.toVersion.version} again: ${decision.description}`);
}
