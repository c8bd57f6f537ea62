import { deploymentName, descriptions, runningDescription, type Deployment } from '../deployment.ts';
import { isGroupComplete } from '../operator-intent.ts';
import { requireProgressByAfterPlacement } from '../progress.ts';
import { event, type Pass } from './context.ts';

const placements = (pass: Pass) => [...pass.outcomes.values()].flatMap((x) => x.place);
const inPlaceUpdates = (pass: Pass) => [...pass.outcomes.values()].flatMap((x) => x.inPlace);

/** A deployment for this version when a group needs one (§2.2), or new groups joining the current one. */
export function attachDeployment(pass: Pass): void {
  recomputeDesiredTotals(pass);
  const newStates = Object.fromEntries([...pass.outcomes].flatMap(([g, x]) => (x.newState ? [[g, x.newState]] : [])));
  if (Object.keys(newStates).length === 0) return;
  if (pass.current) {
    pass.current = { ...pass.current, groups: { ...pass.current.groups, ...newStates } };
    return;
  }
  const name = deploymentName(pass.o.job.name, pass.version);
  const created: Deployment = {
    name,
    jobVersion: pass.version,
    status: 'running',
    statusDescription: descriptions.running,
    groups: newStates,
    createdAt: pass.now,
  };
  pass.current = { ...created, statusDescription: runningDescription(created) };
  event(pass, 'deployment', 'Normal', 'Created', `${name}: deployment of job version ${pass.version} created (${pass.current.statusDescription})`);
}

/** System groups: DesiredTotal is the nodes where the group runs, recomputed in every pass of a running deployment (§3.6 rule 4). */
function recomputeDesiredTotals(pass: Pass): void {
  const d = pass.current;
  if (!d || d.status !== 'running') return;
  const changed = Object.entries(d.groups).filter(([g, state]) => {
    const total = pass.outcomes.get(g)?.desiredTotal;
    return total !== undefined && total !== state.desiredTotal;
  });
  if (changed.length === 0) return;
  const groups = { ...d.groups };
  for (const [g, state] of changed) groups[g] = { ...state, desiredTotal: pass.outcomes.get(g)!.desiredTotal! };
  pass.current = { ...d, groups };
}

/** Placements and in-place moves into the deployment count as placed and push its progress deadline (§2.8). */
export function countPlacements(pass: Pass): void {
  const d = pass.current;
  if (!d) return;
  const place = placements(pass);
  const inPlace = inPlaceUpdates(pass);
  const groups = Object.fromEntries(
    Object.entries(d.groups).map(([groupName, g]) => {
      const joined =
        place.filter((p) => p.group === groupName && p.deployment === d.name).length +
        inPlace.filter((u) => pass.o.allocations.find((a) => a.podName === u.podName)?.group === groupName && u.deployment === d.name).length;
      // Allocations re-attached from a pass whose record of them was lost set the deadline they would have.
      const reattached = g.placedAllocs > 0 && g.requireProgressBy === undefined;
      if (joined === 0 && !reattached) return [groupName, g];
      const at = requireProgressByAfterPlacement(g, pass.now);
      return [groupName, { ...g, placedAllocs: g.placedAllocs + joined, ...(at !== undefined ? { requireProgressBy: at } : {}) }];
    }),
  );
  pass.current = { ...d, groups };
  const canaries = place.filter((p) => p.canary);
  if (canaries.length > 0)
    event(pass, 'deployment', 'Normal', 'CanariesPlaced', `${d.name}: ${canaries.length} canar${canaries.length === 1 ? 'y' : 'ies'} placed`);
}

/** Success (§2.10): every group of the running deployment complete; the version becomes stable. Returns the version to mark. */
export function checkSuccess(pass: Pass): number | undefined {
  const d = pass.current;
  if (!d || d.status !== 'running') return undefined;
  const complete = Object.entries(d.groups).every(([g, state]) => isGroupComplete(state, pass.outcomes.get(g)?.nothingLeft ?? true));
  if (!complete) return undefined;
  pass.current = { ...d, status: 'successful', statusDescription: descriptions.successful };
  event(pass, 'deployment', 'Normal', 'Successful', `${d.name}: ${descriptions.successful}; job version ${pass.version} is stable`);
  return pass.version;
}
