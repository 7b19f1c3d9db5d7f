// A receiver's URL often is its credential (a Slack incoming webhook's path is the
// token; others put one in the query), so people and logs see only enough to tell
// endpoints apart: the origin, a short first path segment, and the URL's last 4 characters.
export function shownUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '(not a URL)';
  }
  const rest = `${u.pathname}${u.search}`;
  if (rest === '/' || rest === '') return u.origin;
  const first = u.pathname.split('/')[1] ?? '';
  const head = first && first.length <= 16 && (u.pathname.length > first.length + 1 || u.search) ? `/${first}` : '';
  return `${u.origin}${head}/…${raw.slice(-4)}`;
}
