// `adbrain forecast`: every series of a long CSV (series_id,date,value) forecast
// with the oracle's forecaster. Input problems are reported by line.
import { readFile, writeFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { forecastSeries, type SeriesForecast } from '../brain/oracle/forecast.ts';
import { AppError } from '../errors.ts';
import { decodeText } from '../import/read-csv.ts';
import { parseDate } from '../import/values.ts';
import { addDays } from '../time.ts';

export interface ForecastFileOptions {
  horizon: number;
  season: number;
  /** Percent, e.g. 80. */
  level: number;
}

export interface SeriesResult {
  seriesId: string;
  lastDate: string;
  forecast: SeriesForecast;
}

export async function forecastFile(file: string, opts: ForecastFileOptions, warnings: string[] = []): Promise<SeriesResult[]> {
  let text: string;
  try {
    text = decodeText(await readFile(file));
  } catch (err) {
    throw new AppError('invalid_input', `cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  return forecastText(text, file, opts, warnings);
}

export function forecastText(text: string, file: string, opts: ForecastFileOptions, warnings: string[] = []): SeriesResult[] {
  if (!(opts.horizon >= 1 && opts.horizon <= 366)) throw new AppError('invalid_input', '--horizon must be between 1 and 366');
  if (!(opts.season >= 1 && opts.season <= 366)) throw new AppError('invalid_input', '--season must be between 1 and 366');
  if (!(opts.level > 0 && opts.level < 100)) throw new AppError('invalid_input', '--level must be a percentage between 0 and 100');
  const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data;
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const [iId, iDate, iValue] = ['series_id', 'date', 'value'].map((c) => header.indexOf(c));
  if (iId! < 0 || iDate! < 0 || iValue! < 0) {
    throw new AppError('invalid_input', `${file}: expected the columns series_id, date, value (found: ${header.join(', ') || 'nothing'})`);
  }
  const errors: string[] = [];
  const series = new Map<string, Map<string, number>>();
  for (let r = 1; r < rows.length; r++) {
    const line = r + 1;
    const cells = rows[r]!;
    const id = (cells[iId!] ?? '').trim();
    const d = parseDate(cells[iDate!] ?? '', 'mdy', true);
    const raw = (cells[iValue!] ?? '').trim();
    const v = Number(raw);
    if (!id) errors.push(`line ${line}: series_id is empty`);
    else if (!d.ok) errors.push(`line ${line}: date ${JSON.stringify(cells[iDate!])} ${d.reason}`);
    else if (raw === '' || !Number.isFinite(v)) errors.push(`line ${line}: value ${JSON.stringify(raw)} is not a number`);
    else {
      const s = series.get(id) ?? series.set(id, new Map()).get(id)!;
      if (s.has(d.value)) errors.push(`line ${line}: series ${id} has ${d.value} twice`);
      else s.set(d.value, v);
    }
    if (errors.length >= 50) break;
  }
  const out: SeriesResult[] = [];
  for (const [id, byDate] of series) {
    const dates = [...byDate.keys()].sort();
    const values: number[] = [];
    let filled = 0;
    for (let d = dates[0]!; d <= dates.at(-1)!; d = addDays(d, 1)) {
      const v = byDate.get(d);
      if (v === undefined) filled++;
      values.push(v ?? Number.NaN);
    }
    // Missing days are interpolated linearly between their neighbours, and said.
    if (filled > 0) {
      interpolateGaps(values);
      warnings.push(`series ${id}: ${filled} missing day(s) interpolated`);
    }
    out.push({ seriesId: id, lastDate: dates.at(-1)!, forecast: forecastSeries(values, { horizon: opts.horizon, season: opts.season, level: opts.level / 100 }) });
  }
  if (errors.length) throw new AppError('invalid_input', `${file}: ${errors.length}${errors.length >= 50 ? '+' : ''} problem(s):\n  ${errors.join('\n  ')}`);
  if (out.length === 0) throw new AppError('invalid_input', `${file}: no data rows`);
  return out;
}

export function toCsv(results: SeriesResult[]): string {
  const lines = ['series_id,date,h,point,lower,upper,model'];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  for (const r of results) {
    if (!r.forecast.ok) {
      lines.push(`${q(r.seriesId)},,,,,,${q(r.forecast.reason)}`);
      continue;
    }
    const f = r.forecast;
    f.point.forEach((p, i) => {
      lines.push([q(r.seriesId), addDays(r.lastDate, i + 1), i + 1, round(p), round(f.lower[i]!), round(f.upper[i]!), q(f.model)].join(','));
    });
  }
  return lines.join('\n') + '\n';
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export async function writeForecast(results: SeriesResult[], out: string | undefined): Promise<void> {
  const csv = toCsv(results);
  if (out) await writeFile(out, csv);
  else process.stdout.write(csv);
}

function interpolateGaps(v: number[]) {
  let i = 0;
  while (i < v.length) {
    if (!Number.isNaN(v[i]!)) {
      i++;
      continue;
    }
    const start = i - 1;
    let end = i;
    while (Number.isNaN(v[end]!)) end++;
    for (let k = i; k < end; k++) v[k] = v[start]! + ((v[end]! - v[start]!) * (k - start)) / (end - start);
    i = end;
  }
}
