// A one-line progress display on stderr for the brain (phase, entities, ETA), only
// when stderr is a terminal: scripts and logs get no carriage returns.
import type { BrainProgress } from '../brain/cycle.ts';

export function brainProgress(label: string, stream: NodeJS.WriteStream = process.stderr): { onProgress?: BrainProgress; end(): void } {
  if (!stream.isTTY) return { end: () => undefined };
  const t0 = performance.now();
  let phaseStart = t0;
  let phase = '';
  let last = 0;
  let shown = false;
  const onProgress: BrainProgress = (p) => {
    const now = performance.now();
    if (p.phase !== phase) {
      phase = p.phase;
      phaseStart = now;
    } else if (now - last < 100) return;
    last = now;
    let line = `${label}: ${p.phase}`;
    const unit = p.unit ?? 'entities';
    if (p.total !== undefined) line += p.done !== undefined ? ` ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} ${unit}` : ` (${p.total.toLocaleString('en-US')} ${unit})`;
    if (p.done && p.total && p.done < p.total) line += `, ETA ${Math.ceil(((now - phaseStart) / p.done) * (p.total - p.done) / 1000)} s`;
    line += ` — ${((now - t0) / 1000).toFixed(1)} s`;
    stream.write(`\r${line.padEnd(78)}`);
    shown = true;
  };
  return { onProgress, end: () => shown && stream.write(`\r${' '.repeat(78)}\r`) };
}
