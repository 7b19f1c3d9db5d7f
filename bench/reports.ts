// bench:reports — render times of the daily report: HTML (react-email) and PDF
// (react-pdf) per report, then 1,000 client reports end to end (view + HTML +
// text + PDF) in two worker processes, as a 2-core machine would run them.
// Targets: median HTML ≤ 15 ms, median PDF ≤ 250 ms, 1,000 reports ≤ 5 min.
import { availableParallelism } from 'node:os';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { previewModel } from '../emails/preview-data.ts';
import { deterministicSummary } from '../src/llm/deterministic.ts';
import { summaryFacts } from '../src/llm/facts.ts';
import { renderReportHtml } from '../src/reports/render-html.tsx';
import { renderReportPdf } from '../src/reports/render-pdf.tsx';
import { renderReportText } from '../src/reports/render-text.ts';
import { buildReportView } from '../src/reports/view.ts';
import { addDays } from '../src/time.ts';

const TOTAL = Number(process.env.BENCH_REPORTS ?? 1000);
const SAMPLE = 60;

function viewFor(i: number) {
  const m = previewModel(addDays('2026-11-21', -(i % 300)));
  m.client = { ...m.client, name: `Client ${i}` };
  return buildReportView(m, deterministicSummary(summaryFacts(m)));
}

async function renderAll(from: number, to: number) {
  for (let i = from; i < to; i++) {
    const v = viewFor(i);
    await renderReportHtml(v);
    renderReportText(v);
    await renderReportPdf(v);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const part = process.env.BENCH_REPORTS_PART;
if (part) {
  const [from, to] = part.split(':').map(Number) as [number, number];
  await renderAll(from, to);
} else {
  // Warm up (module loading, font parsing, JIT) before timing; HTML and PDF are
  // timed in separate loops so one's garbage does not land in the other's numbers.
  await renderAll(0, 20);
  const views = Array.from({ length: SAMPLE }, (_, i) => viewFor(i));
  const html: number[] = [], pdf: number[] = [];
  for (const v of views) {
    const t = performance.now();
    await renderReportHtml(v);
    html.push(performance.now() - t);
  }
  for (const v of views) {
    const t = performance.now();
    await renderReportPdf(v);
    pdf.push(performance.now() - t);
  }
  const workers = Math.min(2, availableParallelism());
  const t0 = performance.now();
  const per = Math.ceil(TOTAL / workers);
  await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        const child = fork(fileURLToPath(import.meta.url), [], {
          execArgv: ['--import', 'tsx'],
          env: { ...process.env, BENCH_REPORTS_PART: `${w * per}:${Math.min(TOTAL, (w + 1) * per)}` },
        });
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${w} exited with ${code}`))));
      }),
    ),
  );
  const totalS = (performance.now() - t0) / 1000;
  const mh = median(html), mp = median(pdf);
  console.log(`bench:reports — ${SAMPLE} timed renders, then ${TOTAL} reports in ${workers} worker processes`);
  console.log(`HTML median ${mh.toFixed(1)} ms (target ≤ 15 ms)  ratio ${(mh / 15).toFixed(2)}`);
  console.log(`PDF  median ${mp.toFixed(1)} ms (target ≤ 250 ms) ratio ${(mp / 250).toFixed(2)}`);
  console.log(`${TOTAL} reports (view + HTML + text + PDF): ${totalS.toFixed(1)} s (target ≤ 300 s) ratio ${(totalS / 300).toFixed(2)}; ${((totalS * 1000) / TOTAL).toFixed(0)} ms per report`);
  const pass = mh <= 15 && mp <= 250 && totalS <= 300;
  console.log(pass ? 'PASS' : 'FAIL');
  if (!pass) process.exitCode = 1;
}
