#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { formatKubernetesError, kubernetesErrorStatus } from '../kube/api-error.ts';
import { registerClusterCommands } from './cluster-commands.ts';
import { registerControllerCommand } from './controller-command.ts';
import { registerConvertCommand } from './convert-command.ts';
import { usageExitCode } from './option-values.ts';
import { registerStartCommand } from './start-command.ts';
import { packageVersion } from '../package-version.ts';

const program = new Command('caravan')
  .description("Caravan: Nomad's job and deployment model on Kubernetes")
  .showHelpAfterError()
  // Set before the commands are added, which inherit it: usage errors are thrown, not exited with 1.
  .exitOverride()
  .version(packageVersion());

registerStartCommand(program);
registerClusterCommands(program);
registerConvertCommand(program);
registerControllerCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander has printed the message (and the help hint) already.
    process.exitCode = usageExitCode(error);
  } else {
    // A Kubernetes client error as the API server tells it, not client-node's dump (issue 11).
    const status = kubernetesErrorStatus(error);
    process.stderr.write(`caravan: ${status ? formatKubernetesError(status) : (error as Error).message}\n`);
    process.exitCode = 1;
  }
}
