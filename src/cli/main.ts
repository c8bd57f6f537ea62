#!/usr/bin/env node
import { Command } from 'commander';
import { registerClusterCommands } from './cluster-commands.ts';
import { registerControllerCommand } from './controller-command.ts';
import { registerConvertCommand } from './convert-command.ts';
import { registerStartCommand } from './start-command.ts';

const program = new Command('caravan')
  .description("Caravan: Nomad's job and deployment model on Kubernetes")
  .showHelpAfterError()
  .version(process.env['npm_package_version'] ?? '0.1.0');

registerStartCommand(program);
registerClusterCommands(program);
registerConvertCommand(program);
registerControllerCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`caravan: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
