import { Command, type CommanderError } from 'commander';
import { dump } from 'js-yaml';
import { readFile } from 'node:fs/promises';
import { convertNomadJob } from '../convert/convert.ts';
import { formatDiagnostic } from '../convert/diagnostics.ts';
import { supportedFunctionNames } from '../convert/functions.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Nomad spells it `-var name=value` (and `-var=name=value`); commander reads only `--var`. */
export function normaliseNomadArgs(args: readonly string[]): string[] {
  return args.map((arg) => (arg === '-var' ? '--var' : arg.startsWith('-var=') ? `-${arg}` : arg));
}

/** `name=value` options as a map; the value may itself hold `=`. */
export function parseVarOptions(options: readonly string[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const option of options) {
    const eq = option.indexOf('=');
    if (eq <= 0) throw new Error(`-var ${JSON.stringify(option)}: write it as name=value`);
    vars.set(option.slice(0, eq), option.slice(eq + 1));
  }
  return vars;
}

/** NOMAD_VAR_name environment variables, which Nomad reads too (weaker than -var). */
export function nomadVarEnv(env: NodeJS.ProcessEnv): Map<string, string> {
  const prefix = 'NOMAD_VAR_';
  return new Map(
    Object.entries(env).flatMap(([key, value]) =>
      key.startsWith(prefix) && value !== undefined ? [[key.slice(prefix.length), value] as [string, string]] : [],
    ),
  );
}

/** Accepts Nomad's single-dash -var, and exits with 2 on usage errors (1 means "converted, with parts left out"). */
class ConvertCommand extends Command {
  override parseOptions(args: string[]) {
    return super.parseOptions(normaliseNomadArgs(args));
  }
}

export function registerConvertCommand(program: Command): void {
  const command = new ConvertCommand('convert');
  command
    .copyInheritedSettings(program)
    .description(
      'turn a Nomad job file (HCL2 .nomad.hcl, or the API JSON `nomad job run -output` prints) into a NomadJob manifest on stdout; ' +
        'what Caravan cannot run is reported on stderr as file:line,col. Exit code 0: complete and valid; 1: parts left out or invalid (the manifest is still printed); 2: unreadable file or bad usage',
    )
    .argument('<file>', 'the Nomad job file')
    .option(
      '--var <name=value>',
      `set an input variable, as Nomad's -var does (repeatable; -var works too). Functions evaluated: ${supportedFunctionNames.join(', ')}`,
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .exitOverride((error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (file: string, opts: { var: string[] }) => {
      process.exitCode = await convertFile(file, opts.var);
    });
  program.addCommand(command);
}

async function convertFile(file: string, varOptions: readonly string[]): Promise<number> {
  let cli: Map<string, string>;
  let source: string;
  try {
    cli = parseVarOptions(varOptions);
    source = await readFile(file, 'utf8');
  } catch (error) {
    say(`caravan convert: ${(error as Error).message}`);
    return 2;
  }
  const result = await convertNomadJob({ filename: file, source, variables: { cli, env: nomadVarEnv(process.env) } });
  for (const d of result.diagnostics) say(formatDiagnostic(file, d));
  if (result.manifest) {
    const yaml = dump(result.manifest, { lineWidth: 120, noRefs: true });
    process.stdout.write(yaml.endsWith('\n') ? yaml : `${yaml}\n`);
  }
  if (result.exitCode === 1) say(`caravan convert: ${file}: the manifest is incomplete or invalid; see the messages above`);
  return result.exitCode;
}
