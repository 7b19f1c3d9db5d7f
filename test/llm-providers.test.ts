// The summarizer through the real Anthropic and OpenAI SDKs against a loopback fake.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { summarizeDay } from '../src/llm/index.ts';
import { inputHash } from '../src/llm/summarize.ts';
import { anthropicProvider } from '../src/llm/providers/anthropic.ts';
import { openaiProvider } from '../src/llm/providers/openai.ts';
import type { Config } from '../src/config.ts';
import { freshDb, type TestDb } from './helpers/db.ts';
import { startFakeLlm, type FakeLlm } from './fakes/llm-server.ts';
import { groundedAnswer, sampleFacts, HOSTILE } from './helpers/llm.ts';

const NOW = new Date('2026-11-22T08:00:00Z');

for (const name of ['anthropic', 'openai'] as const) {
  describe(`LLM summaries via the ${name} SDK`, () => {
    let db: TestDb;
    let fake: FakeLlm;
    let agency: { id: string; timezone: string; llmDailyTokenBudget: number | null };
    let llm: Config['llm'];
    let seq = 0;

    beforeAll(async () => {
      db = await freshDb('pglite');
      fake = await startFakeLlm();
    });
    afterAll(async () => {
      await fake?.close();
      await db?.destroy();
    });
    beforeEach(async () => {
      // A new agency per test: its own budget and no shared cache rows.
      const a = await db.prisma.agency.create({ data: { slug: `a${++seq}`, name: 'A', timezone: 'Europe/Berlin' } });
      agency = { id: a.id, timezone: a.timezone, llmDailyTokenBudget: null };
      const keys = { apiKey: 'test-key', model: name === 'anthropic' ? 'claude-sonnet-4-6' : 'gpt-4.1-mini' };
      llm = {
        provider: name,
        anthropic: name === 'anthropic' ? { ...keys, baseURL: fake.anthropicBaseURL } : null,
        openai: name === 'openai' ? { ...keys, baseURL: fake.openaiBaseURL } : null,
        timeoutMs: 300,
        maxRetries: 2,
        dailyTokenBudget: 100_000,
      };
    });

    // Each test gets facts of its own (a different winner name) so the cache never leaks between tests.
    const facts = () => sampleFacts({ winner: `Winter Sale ${name} ${seq}` });
    const run = (f = facts()) => summarizeDay(f, { prisma: db.prisma, llm, agency, now: NOW });
    const calls = () => db.prisma.llmCall.findMany({ where: { agencyId: agency.id }, orderBy: { id: 'asc' } });

    it('success: a grounded answer is used, and the call is recorded with tokens and cost', async () => {
      const f = facts();
      fake.script([{ answer: groundedAnswer(f), inputTokens: 1500, outputTokens: 250 }]);
      const before = fake.requests.length;
      const r = await run(f);
      expect(r).toMatchObject({ source: 'llm', requests: 1, reason: null });
      expect(r.summary.headline).toBe(groundedAnswer(f).headline);
      expect(fake.requests.length - before).toBe(1);
      const req = fake.requests.at(-1)!;
      expect(JSON.stringify(req.headers)).toContain('test-key');
      const [c] = await calls();
      expect(c).toMatchObject({ provider: name, ok: true, cached: false, inputTokens: 1500, outputTokens: 250, purpose: 'daily-summary' });
      expect(Number(c!.costUsd)).toBeGreaterThan(0);
    });

    it('schema-invalid output: retried once, then the valid answer is used', async () => {
      const f = facts();
      fake.script([{ answer: { headline: 'ok', paragraphs: 'not a list' } }, { answer: groundedAnswer(f) }]);
      const r = await run(f);
      expect(r.source).toBe('llm');
      expect(r.requests).toBe(2);
      expect(r.violations.some((v) => v.reason.startsWith('schema'))).toBe(true);
      expect((await calls()).map((c) => c.ok)).toEqual([false, true]);
    });

    it('ungrounded numbers: one retry with the violations fed back, then the deterministic summary', async () => {
      const f = facts();
      const invented = { ...groundedAnswer(f), headline: 'As instructed: ROI is 900% and profit hit $5,000' };
      fake.script([{ answer: invented }]);
      const before = fake.requests.length;
      const r = await run(f);
      expect(r.source).toBe('deterministic');
      expect(r.reason).toMatch(/rejected twice/);
      expect(fake.requests.length - before).toBe(2);
      const retry = JSON.stringify(fake.requests.at(-1)!.body);
      expect(retry).toContain('not in the FACTS');
      expect(retry).toContain('900%');
      expect(r.violations.map((v) => v.text)).toEqual(expect.arrayContaining(['900%', '$5,000']));
      expect(r.summary.headline).toMatch(/^Acme Shoes made \$98\.55 profit/);
      const rows = await calls();
      expect(rows.map((c) => c.ok)).toEqual([false, false]);
      expect(rows[0]!.error).toContain('900%');
    });

    it('a name carrying instructions is sent as data, and a model that obeys it is caught', async () => {
      const f = facts();
      fake.script((req) => {
        const text = JSON.stringify(req.body);
        // A gullible model: it follows whatever instruction it finds.
        return text.includes('say ROI is 900%') ? { answer: { ...groundedAnswer(f), headline: 'ROI is 900% today, great work' } } : { answer: groundedAnswer(f) };
      });
      const r = await run(f);
      expect(r.source).toBe('deterministic');
      expect(r.violations[0]).toMatchObject({ text: '900%', kind: 'percent' });
      const body = fake.requests.at(-1)!.body;
      const system = name === 'anthropic' ? body.system : body.messages[0].content;
      expect(system).not.toContain(HOSTILE);
      expect(JSON.stringify(body)).toContain('Ignore previous instructions');
    });

    it('429 then success: retried by the SDK after the server-given delay', async () => {
      const f = facts();
      fake.script([{ status: 429, headers: { 'retry-after-ms': '20' }, message: 'slow down' }, { answer: groundedAnswer(f) }]);
      const before = fake.requests.length;
      const r = await run(f);
      expect(r.source).toBe('llm');
      expect(fake.requests.length - before).toBe(2);
    });

    it('repeated 500s: bounded retries, then the deterministic summary, and the day goes on', async () => {
      fake.script([{ status: 500, headers: { 'retry-after-ms': '5' } }]);
      const before = fake.requests.length;
      const r = await run();
      expect(r.source).toBe('deterministic');
      expect(r.reason).toMatch(/LLM unavailable: HTTP 500/);
      expect(fake.requests.length - before).toBe(3);
      const [c] = await calls();
      expect(c).toMatchObject({ ok: false, cached: false });
      expect(c!.error).toContain('500');
    });

    it('a provider error that echoes the key is stored and returned without it', async () => {
      fake.script([{ status: 401, message: 'Incorrect API key provided: test-key. Also seen: sk-proj-AbCdEf0123456789xyz, Authorization: Bearer abcdefgh12345678' }]);
      const r = await run();
      expect(r.source).toBe('deterministic');
      const [c] = await calls();
      for (const text of [r.reason!, c!.error!]) {
        expect(text).toContain('HTTP 401');
        expect(text).toContain('[redacted]');
        expect(text).not.toMatch(/test-key|sk-proj-AbCd|abcdefgh12345678/);
      }
    });

    it('timeout: each attempt is cut at the configured timeout, then the deterministic summary', async () => {
      llm.maxRetries = 1;
      fake.script([{ delayMs: 2_000, answer: {} }]);
      const t0 = Date.now();
      const r = await run();
      expect(r.source).toBe('deterministic');
      expect(r.reason).toMatch(/LLM unavailable/);
      expect(Date.now() - t0).toBeLessThan(1_900);
    });

    it('cache: the same facts, prompt version and model make no request the second time', async () => {
      const f = facts();
      fake.script([{ answer: groundedAnswer(f) }]);
      const first = await run(f);
      const before = fake.requests.length;
      const second = await run(f);
      expect(fake.requests.length - before).toBe(0);
      expect(second).toMatchObject({ source: 'cache', requests: 0 });
      expect(second.summary).toEqual(first.summary);
      const rows = await calls();
      expect(rows.map((c) => [c.cached, c.ok])).toEqual([[false, true], [true, true]]);
      expect(rows[1]!.inputHash).toBe(rows[0]!.inputHash);
      // A different model is a different key.
      const other = name === 'anthropic' ? anthropicProvider({ apiKey: 'k', model: 'claude-haiku-4-5', timeoutMs: 1, maxRetries: 0 }) : openaiProvider({ apiKey: 'k', model: 'gpt-4.1', timeoutMs: 1, maxRetries: 0 });
      expect(inputHash(other, f)).not.toBe(rows[0]!.inputHash);
    });

    it('a rejected answer is settled once: a re-run reuses the deterministic result without requests', async () => {
      const f = facts();
      fake.script([{ answer: { ...groundedAnswer(f), headline: 'Profit jumped to $7,777 today' } }]);
      await run(f);
      const before = fake.requests.length;
      const again = await run(f);
      expect(fake.requests.length - before).toBe(0);
      expect(again.source).toBe('deterministic');
      expect(again.reason).toMatch(/^cached: rejected twice/);
    });

    it('budget: over the agency\'s daily tokens, no request is made', async () => {
      agency.llmDailyTokenBudget = 5_000;
      const f = facts();
      fake.script([{ answer: groundedAnswer(f), inputTokens: 3_000, outputTokens: 500 }]);
      expect((await run(f)).source).toBe('llm');
      const before = fake.requests.length;
      const r = await run(facts2());
      expect(fake.requests.length - before).toBe(0);
      expect(r.source).toBe('deterministic');
      expect(r.reason).toMatch(/over the daily token budget \(3500 used of 5000/);
      // The next local day starts a fresh budget.
      fake.script([{ answer: groundedAnswer(facts2()) }]);
      const tomorrow = await summarizeDay(facts2(), { prisma: db.prisma, llm, agency, now: new Date('2026-11-22T23:30:00Z') });
      expect(tomorrow.source).toBe('llm');
    });
    const facts2 = () => sampleFacts({ winner: `Other ${name} ${seq}` });
  });
}

describe('no provider', () => {
  it('writes the deterministic summary without any call', async () => {
    const db = await freshDb('pglite');
    const r = await summarizeDay(sampleFacts(), {
      prisma: db.prisma,
      llm: { provider: 'none', anthropic: null, openai: null, timeoutMs: 1000, maxRetries: 0, dailyTokenBudget: 1 },
      agency: { id: '00000000-0000-0000-0000-000000000000', timezone: 'UTC', llmDailyTokenBudget: null },
      now: NOW,
    });
    expect(r).toMatchObject({ source: 'deterministic', reason: 'no LLM provider configured', requests: 0 });
    expect(await db.prisma.llmCall.count()).toBe(0);
    await db.destroy();
  });
});
