import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../shared/ipc/contract.js';

const IPC_DIR = new URL('../../shared/ipc/', import.meta.url);

/** Each domain file's `...Channels` maps, by file. */
async function domainChannels(): Promise<Map<string, string[]>> {
  const byFile = new Map<string, string[]>();
  for (const file of readdirSync(IPC_DIR).filter((f) => f.endsWith('.ts') && f !== 'contract.ts')) {
    const mod = (await import(new URL(file, IPC_DIR).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (name.endsWith('Channels') && typeof value === 'object' && value !== null) byFile.set(`${file}:${name}`, Object.keys(value));
    }
  }
  return byFile;
}

describe('the contract index', () => {
  // Spreading the domain maps into one object lets a later domain silently replace an earlier
  // channel of the same name: each channel must come from exactly one domain file.
  it('assembles every domain channel exactly once, and nothing else', async () => {
    const byFile = await domainChannels();
    expect(byFile.size).toBeGreaterThan(5);
    const owners = new Map<string, string[]>();
    for (const [file, channels] of byFile) for (const c of channels) owners.set(c, [...(owners.get(c) ?? []), file]);
    expect([...owners].filter(([, files]) => files.length > 1)).toEqual([]);
    expect([...owners.keys()].sort()).toEqual([...CHANNELS].sort());
  });
});
