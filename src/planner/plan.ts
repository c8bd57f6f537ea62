import { stopReasons, type Observed, type Plan } from './plan-types.ts';
import { attachDeployment, checkSuccess, countPlacements } from './pass/attach-deployment.ts';
import { cancelObsolete } from './pass/cancel-obsolete.ts';
import { startPass } from './pass/context.ts';
import { checkDeadline, failOrRevert } from './pass/fail-or-revert.ts';
import { finish } from './pass/finish.ts';
import { applyOperatorIntent } from './pass/operator-intent.ts';
import { promoteCanaries } from './pass/promote-canaries.ts';
import { recordHealth } from './pass/record-health.ts';
import { scheduleGroups } from './pass/schedule-groups.ts';
import { isParentJob } from './parent-job.ts';

/**
 * One reconcile of a NomadJob: from what is observed, what to do now. Pure: same input, same
 * plan. A pipeline of named phases over one explicit pass (`pass/context.ts`), in Nomad's split:
 * first the deployment watcher's rules (operator intent, allocation health, promotion, progress
 * deadline, failure and auto-revert), then the scheduler's pass over each task group (§2.1), then
 * the success check (§2.10).
 */
export function plan(o: Observed): Plan {
  const pass = startPass(o);
  cancelObsolete(pass);
  if (o.job.stop) return finish(pass, { place: [], stop: pass.live.map((a) => ({ podName: a.podName, reason: stopReasons.notNeeded })), inPlace: [] });
  // A periodic or parameterized parent is a template: its children run, it never places (spec §0.1).
  if (isParentJob(o.target.job))
    return finish(pass, { place: [], stop: pass.live.map((a) => ({ podName: a.podName, reason: stopReasons.notNeeded })), inPlace: [] });

  // The deployment watcher's part.
  applyOperatorIntent(pass);
  recordHealth(pass);
  promoteCanaries(pass);
  checkDeadline(pass);
  failOrRevert(pass);

  // The scheduler's part, then the deployment it needs and success.
  scheduleGroups(pass);
  attachDeployment(pass);
  countPlacements(pass);
  const markStable = checkSuccess(pass);
  const outcomes = [...pass.outcomes.values()];
  return finish(pass, {
    place: outcomes.flatMap((x) => x.place),
    stop: outcomes.flatMap((x) => x.stop),
    inPlace: outcomes.flatMap((x) => x.inPlace),
    ...(markStable !== undefined ? { markStable } : {}),
  });
}
