import type { NetworkSpec, PortSpec } from '../model/nomad-job-spec.ts';
import { BlockReader, nonEmpty, present } from './block-reader.ts';
import { networkAccepted, portAccepted } from './ignored-nomad.ts';
import { networkReasons, portReasons } from './unsupported-nomad.ts';

/** A `network` block: the group's, or (deprecated) one in a task's resources. */
export function network(r: BlockReader): NetworkSpec {
  const mode = r.string('mode');
  const supportedMode = mode === undefined || mode === 'bridge' || mode === 'host';
  if (!supportedMode)
    r.omit(
      r.attribute('mode')!.pos,
      `network mode ${JSON.stringify(mode)} is not supported by Caravan: Pods use the cluster network, which only bridge and host describe`,
      `${r.path}.mode`,
    );
  const spec = present<NetworkSpec>({
    mode: supportedMode ? mode : undefined,
    ports: nonEmpty(r.blocks('port').map((block, i) => port(new BlockReader(block, `${r.path}.ports[${i}]`, r.ctx)))),
  });
  r.finish('network', networkReasons, networkAccepted);
  return spec;
}

function port(r: BlockReader): PortSpec {
  const spec = present<PortSpec>({ label: r.block.labels[0] ?? '', static: r.number('static'), to: r.number('to') });
  r.finish('port', portReasons, portAccepted);
  return spec;
}
