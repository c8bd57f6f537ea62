import type { PortSpec } from './nomad-job-spec.ts';

/**
 * The port a task listens on inside its container: Nomad's `to`, or the static port when only
 * that is given. A dynamic port with neither has no fixed number on Kubernetes.
 */
export function portNumber(port: PortSpec): number | undefined {
  return port.to ?? port.static;
}
