import { isCanaryOf } from '../canary-identity.ts';
import { canariesNeeded, isActive, isCanarying } from '../deployment.ts';
import { promote, shouldAutoPromote, type PromoteRequest } from '../promotion.ts';
import { event, healthOf, ofCurrent, type Pass } from './context.ts';

function healthyCanaries(pass: Pass, group?: string) {
  const d = pass.current!;
  return ofCurrent(pass).filter(
    (a) => (group === undefined || a.group === group) && isCanaryOf(a, d.name, d.groups[a.group]) && healthOf(pass, a) === 'healthy',
  );
}

/** Promotes the current deployment's canaries (§2.4); returns Nomad's error when it cannot. */
function doPromote(pass: Pass, request: PromoteRequest, how: string): string | undefined {
  const outcome = promote(pass.current!, request, new Set(healthyCanaries(pass).map((a) => a.uid)), pass.now);
  if (!outcome.ok) return outcome.error;
  pass.current = outcome.deployment;
  event(pass, 'deployment', 'Normal', 'Promoted', `${pass.current.name}: canaries promoted (${how})`);
  return undefined;
}

/**
 * Canary steps (beyond Nomad): a step whose canaries are all healthy moves on after its pause or
 * approval; after the last one, promotion works as in Nomad. Returns the groups past their last step.
 */
function moveCanarySteps(pass: Pass): Set<string> {
  const stepsDone = new Set<string>();
  const intent = pass.o.deployment!.intent;
  for (const [groupName, g] of Object.entries(pass.current!.groups)) {
    const steps = pass.job.taskGroups.find((tg) => tg.name === groupName)?.update?.canarySteps ?? [];
    if (steps.length === 0 || g.canaryStep === undefined || !isCanarying(g)) continue;
    const step = steps[g.canaryStep - 1]!;
    const healthy = healthyCanaries(pass, groupName);
    if (healthy.length < canariesNeeded(g)) continue;
    if (step.approval && (intent.approveCanaryStep ?? 0) < g.canaryStep) continue;
    const allHealthyAt = Math.max(...healthy.map((a) => a.recordedHealth?.at ?? pass.recorded.get(a.podName)?.at ?? pass.now));
    if (pass.now < allHealthyAt + step.pause) {
      pass.requeue.push(allHealthyAt + step.pause);
      continue;
    }
    if (g.canaryStep === steps.length) {
      stepsDone.add(groupName);
      continue;
    }
    const next = steps[g.canaryStep]!;
    // Like a promotion (§2.4 rule 4), moving on restarts the progress deadline.
    const deadline = g.progressDeadline > 0 ? { requireProgressBy: pass.now + g.progressDeadline } : {};
    pass.current = {
      ...pass.current!,
      groups: { ...pass.current!.groups, [groupName]: { ...g, canaryStep: g.canaryStep + 1, stepCanaries: next.canaries, ...deadline } },
    };
    event(
      pass,
      'deployment',
      'Normal',
      'CanaryStep',
      `${pass.current.name}: group ${groupName} moves to canary step ${g.canaryStep + 1} of ${steps.length} (${next.canaries} canaries)`,
    );
  }
  return stepsDone;
}

/** Promotion by request, canary steps, then auto-promotion once every gate has passed. */
export function promoteCanaries(pass: Pass): void {
  if (!pass.current) return;
  const intent = pass.o.deployment!.intent;
  // Nomad promotes any active deployment, paused too (its Promote checks Active, not Running).
  const awaitsPromotion = Object.values(pass.current.groups).some((g) => g.desiredCanaries > 0 && !g.promoted);
  if (!pass.failure && isActive(pass.current.status) && intent.promote && awaitsPromotion) {
    const error = doPromote(pass, intent.promote, 'by request');
    if (error !== undefined) pass.intentError = error;
  }
  const stepsDone = moveCanarySteps(pass);
  const gatesPassed = Object.entries(pass.current.groups).every(([groupName, g]) => g.canaryStep === undefined || stepsDone.has(groupName));
  if (!pass.failure && gatesPassed && shouldAutoPromote(pass.current, new Set(healthyCanaries(pass).map((a) => a.uid))))
    doPromote(pass, { all: true }, 'auto_promote');
}
