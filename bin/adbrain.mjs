#!/usr/bin/env node
// The adbrain command. TypeScript sources run through tsx's loader (no build step);
// the project's tsconfig is named so JSX compiles the same from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli.ts');
