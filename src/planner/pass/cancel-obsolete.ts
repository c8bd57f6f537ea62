import { descriptions, isActive } from '../deployment.ts';
import { event, type Pass } from './context.ts';

/**
 * Obsolete deployments (§2.1 step 2): a stopped job or a newer version cancels the active one.
 * The newest deployment stays current while it is for the target version and not finished.
 */
export function cancelObsolete(pass: Pass): void {
  const latest = pass.o.deployment;
  if (!latest) return;
  if (pass.o.job.stop || latest.jobVersion !== pass.version) {
    if (!isActive(latest.status)) return;
    pass.cancelled = { ...latest, status: 'cancelled', statusDescription: pass.o.job.stop ? descriptions.stoppedJob : descriptions.newerJob };
    event(pass, 'deployment', 'Normal', 'Cancelled', `${latest.name}: ${pass.cancelled.statusDescription}`);
  } else if (latest.status !== 'successful' && latest.status !== 'cancelled') {
    pass.current = latest;
  }
}
