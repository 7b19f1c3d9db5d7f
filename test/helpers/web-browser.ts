// A browser's cookie jar over app.request, for the web inbox's pages and forms.
import type { createApp } from '../../src/api/app.ts';

export function browser(app: ReturnType<typeof createApp>) {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await app.request(url, { ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (/max-age=0/i.test(c) || v === '') jar.delete(k!);
      else jar.set(k!, v!);
    }
    return res;
  };
  return {
    jar,
    get: (url: string) => send(url),
    post: (url: string, form: Record<string, string>) => send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) }),
  };
}

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Signs in to the web inbox with an API key; the browser keeps the session. */
export async function signInByKey(app: ReturnType<typeof createApp>, key: string) {
  const b = browser(app);
  const form = await b.get('/app/sign-in');
  const res = await b.post('/app/sign-in', { csrf: csrfOf(await form.text()), apiKey: key });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  return b;
}
