import { InvalidArgumentError, Option } from 'commander';
import { parsePlatform, PLATFORM_NAMES } from '../import/formats.ts';
import { parseColumnMap } from '../import/parse.ts';
import { isSaneDay } from '../time.ts';

export const json = () => new Option('--json', 'print JSON for machines');

export const day = (v: string) => {
  if (!isSaneDay(v)) throw new InvalidArgumentError('expected a real date as YYYY-MM-DD (2000–2100)');
  return v;
};

export const int = (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number');
  return Number(v);
};

/** An amount in the client's currency (converted to its minor unit once the client is known); "off" clears it. */
export const amountOrOff = (v: string) => {
  if (v === 'off') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative amount or "off"');
  return v;
};

export const columnMap = (v: string) => {
  const r = parseColumnMap(v);
  if (typeof r === 'string') throw new InvalidArgumentError(r);
  return r;
};

export const platformOption = (v: string) => {
  const p = parsePlatform(v);
  if (!p) throw new InvalidArgumentError(`unknown platform (one of: ${PLATFORM_NAMES.join(', ')})`);
  return p;
};
