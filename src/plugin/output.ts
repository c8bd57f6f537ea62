import { dump } from 'js-yaml';
import { plainStyle, terminalStyle, type Style } from './format.ts';
import { UserError } from './objects.ts';

/** Text for people; JSON or YAML (the same data the text is built from) for scripts. */
export type OutputFormat = 'text' | 'json' | 'yaml';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json' || value === 'yaml') return value;
  throw new UserError(`-o ${value}: use json or yaml (or leave it out for text)`);
}

export function renderData(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : dump(value, { noRefs: true, lineWidth: -1 });
}

/** What the output stream can do: bold and redrawn lines only on a terminal, and not with NO_COLOR. */
export interface Terminal {
  readonly tty: boolean;
  readonly style: Style;
}

export function terminalOf(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Terminal {
  const tty = stream.isTTY === true && env['TERM'] !== 'dumb';
  const color = tty && env['NO_COLOR'] === undefined;
  return { tty, style: color ? terminalStyle : plainStyle };
}
