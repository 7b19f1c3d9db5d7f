// Files of the project outside src/ (migrations, package.json), found the same way
// from the sources (src/…) and from the ahead-of-time build (dist/src/…): the
// nearest folder above this module that holds adbrain's package.json.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function projectRoot(): string {
  if (root) return root;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'adbrain') return (root = dir);
    if (path.dirname(dir) === dir) throw new Error('adbrain: cannot find the project folder (its package.json) above ' + fileURLToPath(import.meta.url));
  }
}

export const projectFile = (...parts: string[]) => path.join(projectRoot(), ...parts);
