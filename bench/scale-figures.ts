/**
 * The pure parts of bench/scale.ts: percentiles, reading Prometheus' text format, and the report
 * table. Kept apart so they are unit-tested (test/unit/bench/scale-figures.test.ts).
 */

/** The nearest-rank percentile (p in 0..100) of `values`; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile ${p} is not between 0 and 100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** p50, p90, p99 and the count of a set of samples (milliseconds, usually). */
export interface Distribution {
  readonly n: number;
  readonly p50: number | undefined;
  readonly p90: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length === 0 ? undefined : Math.max(...values),
  };
}

/** One sample of Prometheus' text exposition format. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Reads Prometheus' text format (what /metrics serves): every sample line, comments skipped. */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const close = closingBrace(line, brace);
      labels = parseLabels(line.slice(brace + 1, close));
      rest = line.slice(close + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = Number(rest.split(/\s+/)[0]);
    if (name !== '' && !Number.isNaN(value)) samples.push({ name, labels, value });
  }
  return samples;
}

function closingBrace(line: string, open: number): number {
  let quoted = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '}' && !quoted) return i;
  }
  throw new Error(`unterminated labels in ${JSON.stringify(line)}`);
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) {
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The sum of the samples named `name` whose labels match `where` (all of its entries). */
export function sumSamples(samples: readonly PromSample[], name: string, where: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** The samples named `name` summed per value of `label` (e.g. requests per method). */
export function sumBy(samples: readonly PromSample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** `after - before`, per key (keys of either). */
export function difference(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) out[key] = (after[key] ?? 0) - (before[key] ?? 0);
  return out;
}

/** Text table: the first row is the header; columns are padded, the first left-aligned, the others right-aligned. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A number for the report, or "n/a" when it was not measured. */
export function fmt(value: number | undefined, digits = 0, unit = ''): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

export const mib = (bytes: number | undefined): number | undefined => (bytes === undefined ? undefined : bytes / 2 ** 20);

/** What one Pod asks of a node: CPU in millicores and memory in bytes (its containers' requests). */
export interface PodRequest {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

const quantitySuffixes: Record<string, number> = {
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity ("32", "500m", "128Gi") as a number; NaN for a form it does not know. */
export function quantityValue(q: string): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  const scale = match ? quantitySuffixes[match[2]!] : undefined;
  return match && scale !== undefined ? Number(match[1]) * scale : Number.NaN;
}

/** How many such Pods a node's allocatable takes: its pod count, CPU or memory, whichever runs out first. */
export function podsThatFit(allocatable: Readonly<Record<string, string>>, request: PodRequest): number {
  const pods = quantityValue(allocatable['pods'] ?? '0');
  const cpu = request.cpuMilli > 0 ? Math.floor((quantityValue(allocatable['cpu'] ?? '0') * 1000) / request.cpuMilli) : pods;
  const memory = request.memoryBytes > 0 ? Math.floor(quantityValue(allocatable['memory'] ?? '0') / request.memoryBytes) : pods;
  return Math.max(0, Math.min(pods, cpu, memory) || 0);
}

/** The pod capacity still free for new Pods: Pods that fit on schedulable nodes, minus the Pods already on them or pending. */
export function freePodCapacity(nodes: readonly { allocatablePods: number; schedulable: boolean }[], podsInUse: number): number {
  const total = nodes.filter((n) => n.schedulable).reduce((sum, n) => sum + n.allocatablePods, 0);
  return total - podsInUse;
}

/** The kwok nodes a run of `pods` Pods needs at `podsPerNode` each, with `existingPods` already placed. */
export function nodesNeeded(pods: number, podsPerNode: number, existingPods = 0): number {
  return Math.ceil((pods + existingPods) / podsPerNode);
}
