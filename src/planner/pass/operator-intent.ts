import { isCanaryOf } from '../canary-identity.ts';
import { isActive } from '../deployment.ts';
import { anyAutoRevert, setPaused } from '../operator-intent.ts';
import { descriptions } from '../deployment.ts';
import { event, ofCurrent, type Pass } from './context.ts';

/**
 * The current deployment as the pass starts on it: every live canary counted in `placedCanaries`
 * (a pass killed before recording one records it now), then the operator's fail and pause or
 * resume (§2.11, §2.12).
 */
export function applyOperatorIntent(pass: Pass): void {
  const d = pass.current;
  if (!d) return;
  const mine = ofCurrent(pass);
  const groups = Object.fromEntries(
    Object.entries(d.groups).map(([name, g]) => [
      name,
      { ...g, placedCanaries: [...new Set([...g.placedCanaries, ...mine.filter((a) => a.group === name && isCanaryOf(a, d.name, g)).map((a) => a.uid)])] },
    ]),
  );
  pass.current = { ...d, groups };
  const intent = pass.o.deployment!.intent;
  if (intent.failed && isActive(pass.current.status)) pass.failure = { base: descriptions.failedByUser, autoRevert: anyAutoRevert(pass.current) };
  if (pass.failure || intent.paused === undefined) return;
  const paused = setPaused(pass.current, intent.paused, pass.now);
  if (paused.ok && paused.deployment !== pass.current) {
    pass.current = paused.deployment;
    event(pass, 'deployment', 'Normal', intent.paused ? 'Paused' : 'Resumed', `${pass.current.name}: ${pass.current.statusDescription}`);
  }
}
