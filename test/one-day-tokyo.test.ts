// One day for every command, for a client east of UTC: at 23:30 UTC on 2026-12-06
// it is 08:30 on 12-07 in Tokyo, so Tokyo's last complete day is 12-06 while UTC's
// "yesterday" is 12-05. The report, analyze, links list, alerts check and the inbox
// judge 12-06 and agree on the burning / winner set (alerts check judges Tokyo's today
// so far, 12-07, and says so); at 14:00 UTC (23:00 in Tokyo) they judge 12-05. (The west-of-UTC case, 04:51 UTC for Los
// Angeles, is in cli.test.ts.)
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDays } from '../src/time.ts';
import { cli } from './helpers/cli.ts';

const LAST = '2026-12-06';
const BURNER = 'https://shop.example/jp/serum?sub=burn';
const HEADER = 'date,platform,account,campaign,adset,ad,link,spend,impressions,clicks,conversions,revenue';

/** 60 days of four links in yen; one burns from 11-28 on (revenue ~4 % of spend). */
function tokyoCsv(): string {
  const rows = [HEADER];
  const links = [
    { link: BURNER, ad: 'Serum A', spend: 30_000, roi: (d: string) => (d >= '2026-11-28' ? -0.96 : 0.4) },
    { link: 'https://shop.example/jp/serum?sub=b', ad: 'Serum B', spend: 20_000, roi: () => 0.35 },
    { link: 'https://shop.example/jp/toner?sub=c', ad: 'Toner C', spend: 25_000, roi: () => 0.3 },
    { link: 'https://shop.example/jp/mask?sub=d', ad: 'Mask D', spend: 15_000, roi: () => 0.45 },
  ];
  for (let t = 59; t >= 0; t--) {
    const d = addDays(LAST, -t);
    for (const [k, l] of links.entries()) {
      // A little noise of its own, so the series are not flat.
      const wobble = 1 + 0.08 * Math.sin(t * 1.7 + k * 2.3);
      const spend = Math.round(l.spend * wobble);
      const revenue = Math.round(spend * (1 + l.roi(d)) * (1 + 0.05 * Math.cos(t * 2.1 + k)));
      const clicks = Math.round(spend / 40);
      rows.push(`${d},tiktok,JP Account,Serum launch,Set ${k},${l.ad},${l.link},${spend},${clicks * 30},${clicks},${Math.max(0, Math.round(revenue / 4_000))},${revenue}`);
    }
  }
  return rows.join('\n') + '\n';
}

async function dayAt(now: string) {
  const cwd = await mkdtemp(path.join(tmpdir(), 'adbrain-tokyo-'));
  const run = cli(() => cwd, () => ({ ADBRAIN_NOW: now }));
  const json = async (...args: string[]) => {
    const r = await run([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
    return JSON.parse(r.out);
  };
  await json('clients', 'add', 'tokyo', '--timezone', 'Asia/Tokyo', '--currency', 'JPY');
  await writeFile(path.join(cwd, 'tokyo.csv'), tokyoCsv());
  await json('import', 'tokyo.csv', '--client', 'tokyo');
  await json('run', '--client', 'tokyo');
  const analysis = await json('analyze', '--client', 'tokyo');
  const links = await json('links', 'list', '--client', 'tokyo');
  const alerts = await json('alerts', 'check', '--client', 'tokyo');
  const again = await json('alerts', 'check', '--client', 'tokyo');
  const inbox = (await json('insights', 'list', '--client', 'tokyo')) as { type: string; entity: { name: string } | null }[];
  const reportDay = analysis.asOf as string;
  const report = JSON.parse(await readFile(path.join(cwd, 'outbox', 'tokyo', reportDay, 'report.json'), 'utf8'));
  const verdicts = (xs: { type: string; name: string }[]) => xs.filter((x) => x.type === 'burning' || x.type === 'winner').map((x) => `${x.type}:${x.name}`).sort();
  return {
    days: { analyze: analysis.asOf, links: links.to, report: report.date },
    alertWindow: alerts.results[0].window,
    analyze: verdicts(analysis.insights.map((i: { type: string; entity: { name: string } }) => ({ type: i.type, name: i.entity?.name }))),
    links: verdicts(links.links.filter((l: { verdict: string | null }) => l.verdict).map((l: { verdict: string; name: string }) => ({ type: l.verdict, name: l.name }))),
    inbox: verdicts(inbox.map((i) => ({ type: i.type, name: i.entity?.name ?? '' }))),
    report: [...report.burning.map((b: { name: string }) => `burning:${b.name}`), ...(report.winners ?? []).map((w: { name: string }) => `winner:${w.name}`)].sort(),
    // `run` checks the alerts too: the burning alert went out there, once, and the checks after it hold it back.
    alertEmails: (await readdir(path.join(cwd, 'outbox', 'tokyo'), { recursive: true })).filter((f) => /alert-burning-.*\.eml$/.test(String(f))).length,
    checks: [alerts, again].map((a) => ({ sent: a.results[0].sent.length, held: a.results[0].suppressed.map((x: { rule: string; entity: string; why: string }) => `${x.rule}:${x.entity}:${x.why}`) })),
    actFirst: report.actions[0]?.entity?.name,
  };
}

describe('one day for a Tokyo client', { timeout: 240_000 }, () => {
  for (const [now, day] of [['2026-12-06T23:30:00Z', '2026-12-06'], ['2026-12-06T14:00:00Z', '2026-12-05']] as const) {
    it(`at ${now} every command judges ${day} and names the same burning link`, async () => {
      const r = await dayAt(now);
      expect(r.days).toEqual({ analyze: day, links: day, report: day });
      // Alerts judge today so far (intraday syncs), and say so.
      expect(r.alertWindow).toMatchObject({ to: addDays(day, 1), todaySoFar: true });
      expect(r.analyze).toContain(`burning:${BURNER}`);
      expect(r.links).toEqual(r.analyze);
      expect(r.inbox).toEqual(r.analyze);
      expect(r.report).toEqual(r.analyze.filter((v) => v.startsWith('burning:') || r.report.includes(v)));
      expect(r.report).toContain(`burning:${BURNER}`);
      expect(r.actFirst).toBe(BURNER);
      // Alerted exactly once: the checks after it send nothing more.
      expect(r.alertEmails).toBe(1);
      for (const c of r.checks) expect(c).toEqual({ sent: 0, held: [`burning:${BURNER}:in cooldown`] });
    });
  }
});
