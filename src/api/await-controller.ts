import type { Acted } from './operation-outcome.ts';

/** How long a write waits for the controller to act on it. */
export interface ControllerWait {
  /** The controller must have acted (or refused) within this time, or the answer is an error. */
  readonly timeoutMs: number;
  /** Once it has, how much longer to wait for its follow-up writes (the answer is a success either way). */
  readonly settleMs: number;
}

/**
 * Nomad answers a deployment operation once it is applied. A reconcile of a changed deployment
 * takes well under a second; 10 s leaves room for a loaded control plane and still answers a
 * client whose controller is down before its own HTTP timeout.
 */
export const defaultControllerWait: ControllerWait = { timeoutMs: 10_000, settleMs: 2_000 };

export type WaitResult = Exclude<Acted, { state: 'waiting' }> | { readonly state: 'timeout'; readonly last: Extract<Acted, { state: 'waiting' }> };

/**
 * Judges again after every change the caches see (`changed` resolves at the next one, or after
 * the given time) until the controller has acted or refused, or the time is up. The judgement
 * reads only the caches, so it runs synchronously between changes and misses none.
 */
export async function awaitController(
  judge: () => Acted,
  changed: (ms: number) => Promise<void>,
  wait: ControllerWait,
  signal?: AbortSignal,
  now: () => number = Date.now,
): Promise<WaitResult> {
  const deadline = now() + wait.timeoutMs;
  let settleBy: number | undefined;
  for (;;) {
    const acted = judge();
    if (acted.state === 'refused' || (acted.state === 'done' && acted.settled)) return acted;
    if (acted.state === 'done') settleBy ??= Math.min(deadline, now() + wait.settleMs);
    const until = settleBy ?? deadline;
    if (now() >= until || signal?.aborted) return acted.state === 'done' ? acted : { state: 'timeout', last: acted };
    await changed(until - now());
  }
}
