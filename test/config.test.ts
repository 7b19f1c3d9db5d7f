import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('defaults to the embedded database in ./data and the outbox in ./outbox', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.databaseUrl).toBeNull();
    expect(c.dataDir).toBe(path.resolve('/srv/app/data'));
    expect(c.outboxDir).toBe(path.resolve('/srv/app/outbox'));
    expect(c.llm.provider).toBe('none');
    expect(c.email.resend).toBeNull();
  });
  it('reads overrides and picks the LLM provider from the key that is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h/db', ADBRAIN_DATA_DIR: '/tmp/x', OPENAI_API_KEY: 'sk' }, '/srv');
    expect(c.databaseUrl).toBe('postgres://u@h/db');
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.llm.provider).toBe('openai');
    expect(loadConfig({ ANTHROPIC_API_KEY: 'a', OPENAI_API_KEY: 'o' }).llm.provider).toBe('anthropic');
  });
  it('treats empty values as unset and names bad ones', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeNull();
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with postgres/);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
  });
  it('ADBRAIN_NOW sets the clock: it starts at that moment and runs on; a bad value is named', async () => {
    const c = loadConfig({ ADBRAIN_NOW: '2026-12-07T04:51:00Z' });
    const first = c.now().getTime();
    expect(Math.abs(first - Date.parse('2026-12-07T04:51:00Z'))).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.now().getTime()).toBeGreaterThan(first);
    expect(loadConfig({ ADBRAIN_NOW: '2026-12-07T06:51:00+02:00' }).now().toISOString().slice(0, 16)).toBe('2026-12-07T04:51');
    expect(Math.abs(loadConfig({}).now().getTime() - Date.now())).toBeLessThan(1_000);
    expect(() => loadConfig({ ADBRAIN_NOW: 'yesterday' })).toThrow(/ADBRAIN_NOW: an ISO date-time/);
  });
});
