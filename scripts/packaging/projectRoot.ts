// Finds the project root (package.json and manifest/ side by side) from a compiled file's location.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findProjectRoot(fromUrl: string): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const manifestDir = join(dir, 'manifest');
    if (existsSync(join(dir, 'package.json')) && existsSync(manifestDir) && statSync(manifestDir).isDirectory()) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No folder with package.json and manifest/ above ${fileURLToPath(fromUrl)}.`);
    dir = parent;
  }
}
