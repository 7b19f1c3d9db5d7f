import { type Command } from 'commander';
import { int, json } from '../options.ts';
import { printJson } from '../output.ts';
import { summaryOf, type Group } from './index.ts';

export function register(program: Command, group: Group) {
  // ---- forecast -------------------------------------------------------------------------
  program
    .command('forecast')
    .description(summaryOf('forecast'))
    .requiredOption('--input <file>')
    .option('--horizon <days>', 'days ahead', int, 14)
    .option('--season <days>', 'season length', int, 7)
    .option('--level <percent>', 'prediction interval coverage', int, 80)
    .option('--out <file>', 'write the CSV here instead of stdout')
    .addOption(json())
    .action(async (o) => {
      const t0 = performance.now();
      const warnings: string[] = [];
      const { forecastFile, writeForecast } = await import('../../forecast/forecast-file.ts');
      const results = await forecastFile(o.input, { horizon: o.horizon, season: o.season, level: o.level }, warnings);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      if (o.json) return printJson(results);
      await writeForecast(results, o.out);
      const skipped = results.filter((r) => !r.forecast.ok).length;
      process.stderr.write(
        `forecast ${results.length - skipped} series${skipped ? ` (${skipped} with too little data)` : ''} in ${Math.round(performance.now() - t0)} ms${o.out ? ` → ${o.out}` : ''}\n`,
      );
    });
}
