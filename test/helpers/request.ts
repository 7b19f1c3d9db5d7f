// One in-process request to a Hono app (app.request) the way the API tests make
// them: an optional key, a JSON or raw body, the answer parsed when it is JSON.
export interface Requestable { request(url: string, init: RequestInit): Response | Promise<Response> }

export function requester(app: () => Requestable, defaults: { key?: () => string | undefined; rawType?: string } = {}) {
  return async (method: string, url: string, opts: { key?: string; body?: unknown; raw?: string; type?: string } = {}) => {
    const headers: Record<string, string> = {};
    const key = opts.key ?? defaults.key?.();
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.type ?? defaults.rawType ?? 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await app().request(url, { method, headers, body });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      // HTML, PDF, CSV or empty bodies
    }
    return { status: res.status, json, text, headers: res.headers, requestId: res.headers.get('x-request-id') };
  };
}
