import { describe, expect, it } from 'vitest';
import { inParallel } from '../../../src/controller/in-parallel.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('inParallel', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await inParallel([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await tick();
      done.push(n);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
  });

  it('finishes the others when one fails, then throws the first failure', async () => {
    const done: number[] = [];
    await expect(
      inParallel([1, 2, 3, 4], 2, async (n) => {
        await tick();
        if (n === 2 || n === 3) throw new Error(`write ${n} failed`);
        done.push(n);
      }),
    ).rejects.toThrow('write 2 failed');
    expect(done.sort()).toEqual([1, 4]);
  });

  it('does nothing for no items', async () => {
    await inParallel([], 4, async () => {
      throw new Error('never called');
    });
  });
});
