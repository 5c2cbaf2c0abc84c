import { describe, expect, it } from 'vitest';
import { ChunkPacer } from '../../main/services/pacing.js';

describe('chunks sized by time', () => {
  it('grows chunks while rows are cheap, at most doubling, up to the maximum', () => {
    const pacer = new ChunkPacer(6, 20, 1, 500);
    const sizes = [pacer.size];
    for (let i = 0; i < 8; i++) {
      pacer.record(0.01 * pacer.size); // 0.01 ms a row
      sizes.push(pacer.size);
    }
    expect(sizes).toEqual([20, 40, 80, 160, 320, 500, 500, 500, 500]);
  });

  it('shrinks to what fits the target when rows are dear, and never below one', () => {
    const pacer = new ChunkPacer(6, 100, 1, 500);
    pacer.record(90); // 0.9 ms a row: a large database
    expect(pacer.size).toBe(6);
    pacer.record(600); // 100 ms a row
    expect(pacer.size).toBe(1);
  });

  it('times the work it runs', async () => {
    const pacer = new ChunkPacer(6, 20, 1, 500);
    await pacer.run(() => new Promise((resolve) => setTimeout(resolve, 60)));
    expect(pacer.size).toBeLessThanOrEqual(3);
  });
});
