import { describe, expect, it } from 'vitest';
import { redact, rememberSecret } from '../src/crypto/redact.ts';
import { loadConfig } from '../src/config.ts';

describe('redact', () => {
  it.each([
    ['Incorrect API key provided: sk-ant-api03-AAAAAAAAAAAAAAAAAAAA', 'Incorrect API key provided: [redacted]'],
    ['{"api_key":"abcdef123456"}', '{"api_key":"[redacted]"}'],
    ['access_token=EAAGm0PX4ZCpsBAKZAd&x=1', 'access_token=[redacted]&x=1'],
    ['Authorization: Bearer adb_x1y2_zzzzzzzzzzzzzzzz', 'Authorization: [redacted] [redacted]'],
    ['postgres://me:pa55word@db:5432/x', 'postgres://me:[redacted]@db:5432/x'],
    ['resend said re_123456789012345678 is invalid', 'resend said [redacted] is invalid'],
    ['nothing secret here: ROI -88% on $120.00', 'nothing secret here: ROI -88% on $120.00'],
  ])('%s', (input, out) => {
    expect(redact(input)).toBe(out);
  });

  it('hides every known secret of the config, whatever its shape', () => {
    loadConfig({ OPENAI_API_KEY: 'plainish-key-without-shape', DATABASE_URL: 'postgres://u:p%40ss-word-1@h/db' });
    expect(redact('upstream echoed plainish-key-without-shape back')).toBe('upstream echoed [redacted] back');
    expect(redact('password p@ss-word-1 rejected')).toBe('password [redacted] rejected');
    rememberSecret('short');
    expect(redact('a short word')).toBe('a short word');
  });
});
