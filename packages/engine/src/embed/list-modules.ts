import { readdir } from 'node:fs/promises';
import path from 'node:path';

const MODULE = /\.(mjs|js|cjs|ts|mts)$/;

/** The module files under `root` (at most 1,000, four folders deep), as paths relative to it with `/` separators. */
export async function listModules(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (found.length >= 1000) return;
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 4) await walk(full, depth + 1);
      else if (entry.isFile() && MODULE.test(entry.name)) found.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  await walk(root, 0);
  return found.sort();
}
