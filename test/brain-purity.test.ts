// src/brain is the pure part: series in, findings, forecasts and ranked actions out.
// It imports nothing that reads a database, a clock source, files or the network,
// nor the layers that present its results; and the store does not borrow its types.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = ['db', 'sources', 'webhooks', 'insights', 'reports', 'alerts', 'api', 'cli', 'run', 'functions', 'generated'];

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\()\s*'([^']+)'/g)].map((m) => m[1]!);
}

describe('the brain folder stays pure', () => {
  it('no module of src/brain imports from the database, sources, webhooks, insights, reports or the runners', () => {
    const offenders: string[] = [];
    for (const f of readdirSync('src/brain', { recursive: true }).map(String).filter((f) => f.endsWith('.ts'))) {
      const file = path.join('src/brain', f);
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.relative('src', path.resolve(path.dirname(file), spec));
        if (FORBIDDEN.includes(target.split(path.sep)[0]!)) offenders.push(`${file} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the store defines the row shapes it returns (db/metrics-read.ts does not import the brain)', () => {
    expect(imports('src/db/metrics-read.ts').filter((s) => s.includes('/brain/'))).toEqual([]);
  });

  it('connectors and the domain import each other one way only: no import cycle between src/sources and src/domain', () => {
    const files = ['src/sources', 'src/domain'].flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.ts')).map((f) => path.join(d, f)));
    const edges = new Map(files.map((f) => [f, imports(f).filter((s) => s.startsWith('.')).map((s) => path.relative('.', path.resolve(path.dirname(f), s))).filter((t) => files.includes(t))]));
    const cycles: string[] = [];
    const walk = (f: string, trail: string[]) => {
      for (const t of edges.get(f) ?? []) {
        if (t === trail[0]) cycles.push([...trail, t].join(' → '));
        else if (!trail.includes(t) && trail.length < 6) walk(t, [...trail, t]);
      }
    };
    for (const f of files) walk(f, [f]);
    expect(cycles).toEqual([]);
  });
});
