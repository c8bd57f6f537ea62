import { describe, expect, it } from 'vitest';
import {
  difference,
  distribution,
  fmt,
  freePodCapacity,
  nodesNeeded,
  parsePrometheusText,
  percentile,
  podsThatFit,
  quantityValue,
  renderTable,
  sumBy,
  sumSamples,
} from '../../../bench/scale-figures.ts';

describe('percentile (nearest rank)', () => {
  it('is undefined for no values', () => {
    expect(percentile([], 50)).toBeUndefined();
  });

  it('takes the nearest rank, whatever the input order', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
  });

  it('gives the only value for one sample, and refuses a percentile out of range', () => {
    expect(percentile([7], 99)).toBe(7);
    expect(() => percentile([1], 101)).toThrow(/between 0 and 100/);
  });

  it('p99 of 100 samples is the 99th, of 50 samples the largest', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred.slice(0, 50), 99)).toBe(50);
  });

  it('distribution counts and summarises', () => {
    expect(distribution([3, 1, 2])).toEqual({ n: 3, p50: 2, p90: 3, p99: 3, max: 3 });
    expect(distribution([])).toEqual({ n: 0, p50: undefined, p90: undefined, p99: undefined, max: undefined });
  });
});

describe('Prometheus text', () => {
  const text = `# HELP controller_runtime_reconcile_total Total number of reconciliations per controller
# TYPE controller_runtime_reconcile_total counter
controller_runtime_reconcile_total{controller="nomadjob",result="success"} 120
controller_runtime_reconcile_total{controller="nomadjob",result="error"} 3
rest_client_requests_total{code="200",method="GET",host="127.0.0.1:6443"} 40
rest_client_requests_total{code="200",method="PUT",host="127.0.0.1:6443"} 10
rest_client_requests_total{code="409",method="PATCH",host="127.0.0.1:6443"} 2
nodejs_heap_size_used_bytes 52428800
odd_label{path="a}b \\"c\\""} 1 1700000000000
`;
  const samples = parsePrometheusText(text);

  it('reads names, labels and values, and skips comments', () => {
    expect(samples).toHaveLength(7);
    expect(samples[0]).toEqual({ name: 'controller_runtime_reconcile_total', labels: { controller: 'nomadjob', result: 'success' }, value: 120 });
    expect(samples.find((s) => s.name === 'nodejs_heap_size_used_bytes')?.value).toBe(52428800);
  });

  it('keeps braces and escaped quotes inside label values, and ignores a timestamp', () => {
    expect(samples.at(-1)).toEqual({ name: 'odd_label', labels: { path: 'a}b "c"' }, value: 1 });
  });

  it('sums by name and labels, and per label value', () => {
    expect(sumSamples(samples, 'controller_runtime_reconcile_total')).toBe(123);
    expect(sumSamples(samples, 'controller_runtime_reconcile_total', { result: 'error' })).toBe(3);
    expect(sumSamples(samples, 'missing')).toBe(0);
    expect(sumBy(samples, 'rest_client_requests_total', 'method')).toEqual({ GET: 40, PUT: 10, PATCH: 2 });
  });

  it('differences counters per key, with keys only one side has', () => {
    expect(difference({ GET: 40, PUT: 10 }, { GET: 55, PUT: 10, PATCH: 1 })).toEqual({ GET: 15, PUT: 0, PATCH: 1 });
  });
});

describe('report helpers', () => {
  it('renders a padded table, the first column left-aligned', () => {
    expect(
      renderTable([
        ['figure', 'value'],
        ['rate', '12 /s'],
        ['reaction p50', '3 ms'],
      ]),
    ).toBe('figure        value\n------------  -----\nrate          12 /s\nreaction p50   3 ms');
  });

  it('formats numbers with units, and n/a for what was not measured', () => {
    expect(fmt(12.345, 1, 's')).toBe('12.3 s');
    expect(fmt(undefined)).toBe('n/a');
    expect(fmt(Number.NaN, 0, 'ms')).toBe('n/a');
  });

  it('counts free pod capacity on schedulable nodes and the nodes a run needs', () => {
    expect(
      freePodCapacity(
        [
          { allocatablePods: 500, schedulable: true },
          { allocatablePods: 500, schedulable: false },
          { allocatablePods: 500, schedulable: true },
        ],
        300,
      ),
    ).toBe(700);
    expect(nodesNeeded(100_000, 500)).toBe(200);
    expect(nodesNeeded(100_000, 500, 250)).toBe(201);
  });
});

describe('podsThatFit', () => {
  const kwok = { cpu: '32', memory: '128Gi', pods: '500' };
  it('is the pod count, CPU or memory, whichever runs out first', () => {
    // Nomad's default task (100 MHz, 300 MB): the 32 cores take 320.
    expect(podsThatFit(kwok, { cpuMilli: 100, memoryBytes: 300 * 2 ** 20 })).toBe(320);
    expect(podsThatFit(kwok, { cpuMilli: 10, memoryBytes: 32 * 2 ** 20 })).toBe(500);
    expect(podsThatFit(kwok, { cpuMilli: 10, memoryBytes: 1024 * 2 ** 20 })).toBe(128);
    expect(podsThatFit(kwok, { cpuMilli: 0, memoryBytes: 0 })).toBe(500);
  });

  it('reads Kubernetes quantities', () => {
    expect(quantityValue('500m')).toBe(0.5);
    expect(quantityValue('128Gi')).toBe(128 * 2 ** 30);
    expect(quantityValue('2k')).toBe(2000);
    expect(quantityValue('1.5')).toBe(1.5);
    expect(quantityValue('12Qi')).toBeNaN();
  });
});
