import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/chaos.ts';
import { startController } from './controller-process.ts';
import { clusterClients, freshNamespace } from './kube.ts';

const { kc, core } = clusterClients();

describe('crash safety under kill -9 (the short variant of npm run chaos)', () => {
  it(
    '30 kills, each while the controller leads and reconciles canary updates of 8 jobs: every wave ends clean',
    async () => {
      const namespace = await freshNamespace(core, 'chaos');
      const lines: string[] = [];
      const report = await runChaos({
        kc,
        namespace,
        kills: Number(process.env['CHAOS_KILLS'] ?? 30),
        seed: Number(process.env['CHAOS_SEED'] ?? 20261206),
        startController: () => startController(namespace),
        say: (line) => lines.push(line),
      });
      console.log(lines.join('\n'));
      expect(report.violations).toEqual([]);
      expect(report.kills).toBe(Number(process.env['CHAOS_KILLS'] ?? 30));
      expect(report.waves.length).toBeGreaterThanOrEqual(3);
    },
    20 * 60_000,
  );
});
