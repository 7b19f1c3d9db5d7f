#!/usr/bin/env node
// The adbrain command. Runs the ahead-of-time build in dist/ (made at install by
// scripts/build.mjs) when it is at least as new as every source file; otherwise —
// sources edited since, or no build — it runs the TypeScript sources through tsx's
// loader, with the project's tsconfig named so JSX compiles the same from any folder.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function builtIsFresh() {
  let built;
  try {
    built = statSync(`${root}dist/BUILT`).mtimeMs;
  } catch {
    return false;
  }
  if (process.env.ADBRAIN_FROM_SOURCE === '1') return false;
  // A few hundred stat calls (~2 ms): cheaper than a stale build's wrong answers.
  try {
    if (statSync(`${root}inngest.config.ts`).mtimeMs > built) return false;
    for (const dir of ['src', 'emails']) {
      for (const d of readdirSync(`${root}${dir}`, { recursive: true, withFileTypes: true })) {
        if (d.isFile() && statSync(`${d.parentPath ?? d.path}/${d.name}`).mtimeMs > built) return false;
      }
    }
  } catch {
    return false; // a source vanished mid-walk (a checkout in progress): the sources decide
  }
  return true;
}

if (builtIsFresh()) {
  await import('../dist/src/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  await import('../src/cli.ts');
}
