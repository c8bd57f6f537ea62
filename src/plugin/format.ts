/**
 * Text layout as Nomad's CLI prints it: `Key = value` blocks and column-aligned tables, RFC 3339
 * times, short IDs, and "1m5s ago" ages. Pure: time comes in as `now`.
 */

/** How headings look: bold on a terminal, plain otherwise (pipes, files, NO_COLOR). */
export interface Style {
  heading(text: string): string;
}

export const plainStyle: Style = { heading: (text) => text };
export const terminalStyle: Style = { heading: (text) => `\x1b[1m${text}\x1b[0m` };

/** Nomad's IDs are shown by their first 8 characters unless -verbose. */
export const shortIdLength = 8;

export function shortId(id: string | undefined, verbose = false): string {
  if (!id) return '<none>';
  return verbose ? id : id.slice(0, shortIdLength);
}

/** `Key = value` lines with the `=` aligned, like Nomad's formatKV. */
export function formatKV(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)} =${value.startsWith('\n') ? '' : ' '}${value}`.trimEnd()).join('\n');
}

/** A table with columns two spaces apart and a header row, like Nomad's formatList. */
export function formatList(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** RFC 3339 in UTC to the second, as Nomad's formatTime prints (Nomad uses local time). */
export function formatTime(at: number | string | undefined): string {
  if (at === undefined) return 'N/A';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(ms)) return 'N/A';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const units = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;

/** The two largest units of a difference, "3d2h ago" or "45s from now", like Nomad's prettyTimeDiff. */
export function prettyTimeDiff(at: number | string | undefined, now: number): string {
  if (at === undefined) return 'N/A';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(ms)) return 'N/A';
  let seconds = Math.round(Math.abs(now - ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const amount = Math.floor(seconds / size);
    seconds -= amount * size;
    if (amount > 0 || parts.length > 0) parts.push(`${amount}${unit}`);
    if (parts.length === 2) break;
  }
  const text = parts.filter((p, i) => i === 0 || !p.startsWith('0')).join('') || '0s';
  return ms <= now ? `${text} ago` : `${text} from now`;
}
