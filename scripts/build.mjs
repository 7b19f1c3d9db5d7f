// Compiles src/ to dist/ ahead of time (at install, and before the test suite) so
// the `adbrain` command starts without compiling TypeScript. Each file is
// transpiled on its own (esbuild, no bundling): the module graph stays as written,
// so what a command imports lazily is still loaded only when it runs, and dist/
// mirrors the project (dist/src/…, dist/emails/…); files outside those are found
// from the project root (src/paths.ts). Relative `.ts` / `.tsx` specifiers become `.js`.
// Written to a fresh folder and swapped in, so a CLI running meanwhile never sees
// half a build.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
// src/ and what it imports from outside it (the email templates, the Inngest event
// catalogue), compiled with the same layout under dist/.
const inputs = ['src', 'emails', 'inngest.config.ts'];
const out = path.join(root, 'dist');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.log('adbrain: esbuild not installed, skipping the build (the command runs from the sources)');
  process.exit(0);
}

const started = Date.now();
const entries = inputs.flatMap((x) => {
  const p = path.join(root, x);
  if (!x.endsWith('.ts')) {
    return readdirSync(p, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && /\.(ts|tsx)$/.test(d.name) && !d.name.endsWith('.d.ts'))
      .map((d) => path.join(d.parentPath ?? d.path, d.name));
  }
  return [p];
});
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
await esbuild.build({
  entryPoints: entries,
  outdir: tmp,
  outbase: root,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  bundle: false,
  jsx: 'automatic',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// Relative imports of .ts / .tsx files name the compiled .js.
const SPEC = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]+?)\.tsx?\2/g;
let files = 0;
for (const d of readdirSync(tmp, { recursive: true, withFileTypes: true })) {
  if (!d.isFile() || !d.name.endsWith('.js')) continue;
  const f = path.join(d.parentPath ?? d.path, d.name);
  const code = readFileSync(f, 'utf8');
  const fixed = code.replace(SPEC, (_m, pre, q, spec) => `${pre}${q}${spec}.js${q}`);
  if (fixed !== code) writeFileSync(f, fixed);
  files++;
}
writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
writeFileSync(path.join(tmp, 'BUILT'), `${new Date().toISOString()}\n`);
const old = `${out}.old-${process.pid}`;
if (existsSync(out)) renameSync(out, old);
mkdirSync(path.dirname(out), { recursive: true });
renameSync(tmp, out);
rmSync(old, { recursive: true, force: true });
if (!process.argv.includes('--quiet')) console.log(`adbrain: compiled ${files} files to dist/ in ${Date.now() - started} ms`);
