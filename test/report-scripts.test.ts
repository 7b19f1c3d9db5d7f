// The PDF draws names in the scripts real accounts use (from npm font packages,
// fallback glyph by glyph), keeps headings with what follows them, and its
// charts carry their axis values.
import { describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import { previewModel } from '../emails/preview-data.ts';
import { renderDailyReport } from '../src/reports/daily-report.ts';
import { familiesFor } from '../src/reports/pdf-fonts.ts';
import { deterministicSummary } from '../src/llm/deterministic.ts';
import { summaryFacts } from '../src/llm/facts.ts';

const NAMES = ['夏のセール 東京', '서울 봄 캠페인', 'حملة الرياض', 'Łódź Żółć Ñandú', 'Москва весна', 'मुंबई ऑफर', 'กรุงเทพ'];
const squash = (s: string) => s.replace(/\s+/g, ' ');
const baseFonts = (pdf: Uint8Array) => [...new Set([...Buffer.from(pdf).toString('latin1').matchAll(/\/BaseFont \/[A-Z]{6}\+([A-Za-z-]+)/g)].map((m) => m[1]!))].sort();

async function pages(pdf: Uint8Array): Promise<string[]> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  return (await extractText(doc, { mergePages: false })).text as string[];
}

describe('report PDF in many scripts', () => {
  it('embeds a fallback face only for the scripts present, and the names come back from the text layer', async () => {
    const plain = await renderDailyReport(previewModel());
    expect(baseFonts(plain.pdf)).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);

    const model = previewModel();
    model.client = { ...model.client, name: '東京トレーディング株式会社' };
    model.rollups.creatives.forEach((l, i) => (l.name = NAMES[i % NAMES.length]!));
    model.rollups.offers.forEach((l, i) => (l.name = NAMES[(i + 2) % NAMES.length]!));
    model.topCampaigns.forEach((l, i) => (l.name = NAMES[(i + 4) % NAMES.length]!));
    model.bottomCampaigns.forEach((l, i) => (l.name = NAMES[(i + 6) % NAMES.length]!));
    const shown = [model.client.name, ...model.rollups.creatives, ...model.rollups.offers, ...model.topCampaigns, ...model.bottomCampaigns].map((x) => (typeof x === 'string' ? x : x.name));
    const r = await renderDailyReport(model);
    const fonts = baseFonts(r.pdf);
    // Kanji and kana from Noto Sans JP (regular and the bold title), the rest as each name needs.
    expect(fonts).toEqual(expect.arrayContaining(['DejaVuSans', 'NotoSansJP-Bold', 'NotoSansJP-Regular']));
    const text = squash((await pages(r.pdf)).join(' '));
    // Every name that is not right-to-left reads back as written (glyphs, not boxes: the
    // text layer maps each glyph to its character).
    for (const name of shown.filter((n) => !/[\u0600-\u06ff]/.test(n))) expect(text, name).toContain(name);
    // Arabic is laid out right to left; its letters are all there.
    expect(shown.some((n) => n.includes('الرياض'))).toBe(true);
    for (const ch of 'حملةالرياض') expect(text).toContain(ch);
    // DejaVu has Latin with every accent, Cyrillic and Arabic; CJK, Hangul, Devanagari and Thai fall back.
    expect(familiesFor(NAMES.join(' '))).toEqual(['DejaVu Sans', 'Noto Sans JP', 'Noto Sans KR', 'Noto Sans Devanagari', 'Noto Sans Thai']);
    expect(familiesFor('Łódź Москва حملة Ελλάδα Hà Nội')).toEqual(['DejaVu Sans']);
  });

  it('never leaves a heading as the last line of a page, however the content falls', async () => {
    const HEADINGS = ['Act now', 'Trend', 'Roll-ups', 'Next 7 days'];
    let pagesSeen = 0;
    for (let extra = 0; extra < 24; extra += 2) {
      const model = previewModel();
      const words = deterministicSummary(summaryFacts(model));
      words.paragraphs = [...words.paragraphs, ...Array.from({ length: extra }, (_, i) => `Note ${i + 1}: ${'a line of commentary that takes up room on the page, '.repeat(3)}`)];
      const r = await renderDailyReport(model, words);
      const ps = await pages(r.pdf);
      pagesSeen = Math.max(pagesSeen, ps.length);
      for (const [k, p] of ps.entries()) {
        const lines = p.split('\n').map((l) => l.trim()).filter((l) => l && !/^\d+ \/ \d+$/.test(l) && !l.startsWith('adbrain daily report for'));
        expect(HEADINGS, `page ${k + 1} of ${ps.length} ends with a heading (extra ${extra})`).not.toContain(lines.at(-1));
      }
    }
    expect(pagesSeen).toBeGreaterThan(1);
  });

  it('charts carry their axis values', async () => {
    const r = await renderDailyReport(previewModel());
    const top = Math.max(...r.view.chart.bars.map((b) => Math.max(b.a, b.b)));
    expect(top).toBe(100);
    expect(r.view.chart.axis.zero).toBe('$0.00');
    const text = squash((await pages(r.pdf)).join(' '));
    for (const v of [r.view.chart.axis.max, r.view.chart.axis.mid, r.view.forecast!.chart.axis.max]) {
      expect(text).toContain(v);
      expect(r.html).toContain(v);
    }
  });
});
