// bench:detection — detection lag and precision on the scenario generator, every
// day judged as of that day, against the fixed 7-day-window rule as baseline.
//   npm run bench:detection [-- --seeds 11,12,13]
import { falseAlarmRate, lagVsOracle, reliability, runSeed, score, type Run, type Score } from '../src/demo/detection-score.ts';

const arg = process.argv.indexOf('--seeds');
const seeds = arg > 0 ? process.argv[arg + 1]!.split(',').map(Number) : [11, 12, 13, 14, 15, 16];
const t0 = performance.now();
const withEvents: Run[] = seeds.map((s) => runSeed(s, true));
const clean: Run[] = seeds.map((s) => runSeed(s, false));
const ms = performance.now() - t0;

const row = (name: string, sc: Score, fa: ReturnType<typeof falseAlarmRate>) =>
  `${name.padEnd(26)} events ${String(sc.events).padStart(3)}  recall ${sc.recall.toFixed(2)}  median lag ${sc.medianLag ?? '—'} d  ` +
  `daily precision ${sc.dailyPrecision.toFixed(3)} (${sc.falseDays}/${sc.callDays} wrong)  entity precision ${sc.entityPrecision.toFixed(2)}  ` +
  `clean control: ${fa.calls} calls / ${fa.adDays} ad-days`;

console.log(`bench:detection — seeds ${seeds.join(', ')}, last 60 days each judged as of that day (${(ms / 1000).toFixed(1)} s)`);
for (const type of ['burning', 'winner'] as const) {
  console.log(row(`${type} (evidence)`, score(withEvents, type), falseAlarmRate(clean, type)));
  console.log(row(`${type} (7-day rule)`, score(withEvents, type, { baseline: true }), falseAlarmRate(clean, type, true)));
}
console.log(row('creative_fatigue', score(withEvents, 'creative_fatigue'), falseAlarmRate(clean, 'creative_fatigue')));
for (const type of ['anomaly_spike', 'anomaly_drop'] as const) console.log(row(type, score(withEvents, type, { oneDay: true }), falseAlarmRate(clean, type)));

// The second generator (src/demo/scenario-field.ts): other noise than the one the detectors were tuned on.
const fieldArg = process.argv.indexOf('--field-seeds');
const fieldSeeds = fieldArg > 0 ? process.argv[fieldArg + 1]!.split(',').map(Number) : [61, 62, 63, 64, 65, 66];
const fieldEvents = fieldSeeds.map((s) => runSeed(s, true, 'field'));
const fieldClean = fieldSeeds.map((s) => runSeed(s, false, 'field'));
console.log(`\nfield generator — seeds ${fieldSeeds.join(', ')} (not tuned on): over-dispersed counts, drifting and edited budgets, weekday shape, daily frequency, ads without frequency, low-traffic ads, launches in the window`);
for (const type of ['burning', 'winner', 'creative_fatigue'] as const) console.log(row(type, score(fieldEvents, type), falseAlarmRate(fieldClean, type)));
for (const type of ['anomaly_spike', 'anomaly_drop'] as const) console.log(row(type, score(fieldEvents, type, { oneDay: true }), falseAlarmRate(fieldClean, type)));

// Calibration: every call of every day, grouped by the probability it stated.
console.log('\nreliability — every call on every day (events and clean control), grouped by stated probability; ok = right at least as often as the group\'s lower bound (one-sided, z = 1.645)');
const panels = [['', [...withEvents, ...clean]], ['field ', [...fieldEvents, ...fieldClean]]] as const;
for (const [panel, runs] of panels) for (const type of ['burning', 'winner', 'creative_fatigue'] as const) {
  const r = reliability([...runs], type);
  console.log(`${(panel + type).padEnd(23)} ${String(r.calls).padStart(5)} calls, Brier ${r.brier.toFixed(3)}`);
  for (const row of r.rows) {
    if (!row.calls) continue;
    const band = `${Math.round(row.from * 100)}–${Math.min(100, Math.round(row.to * 100))} %`;
    console.log(`   stated ${band.padEnd(10)} ${String(row.calls).padStart(5)} calls  stated mean ${(row.stated * 100).toFixed(1).padStart(5)} %  right ${((100 * row.right) / row.calls).toFixed(1).padStart(5)} %  ${row.ok ? 'ok' : 'OVERCONFIDENT'}`);
  }
}

// Lag against the information limit: a detector that knows the onset and the rate before it.
console.log('\nlag against the information limit — the brain\'s first call minus the first day a detector that knows the onset and the rate before it is 90 % sure (events with 14+ days before them)');
for (const [panel, runs] of [['', withEvents], ['field ', fieldEvents]] as const) for (const type of ['burning', 'winner'] as const) {
  const l = lagVsOracle([...runs], type);
  const never = l.excess.filter((x) => x === null).length;
  const dist = new Map<number, number>();
  for (const x of l.excess) if (x !== null) dist.set(x, (dist.get(x) ?? 0) + 1);
  console.log(`${(panel + type).padEnd(14)} ${l.events} events: median excess ${l.medianExcess ?? '—'} d (goal ≤ +1); by excess ${[...dist].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k >= 0 ? '+' : ''}${k}: ${v}`).join(', ')}; brain never: ${never}; oracle never sure: ${l.oracleNever}`);
}
