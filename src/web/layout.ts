// The frame of every page of the web inbox: server-rendered HTML (hono/html
// escapes every value), one stylesheet and one small script served by adbrain
// itself, no inline script or style (the CSP forbids both), readable on a phone.
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Viewer } from './session.ts';
import { ASSET_VERSION } from './static.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** CSP without inline script or style; nothing from another site; never framed. */
export function securityHeaders(c: Context) {
  c.header('Content-Security-Policy', "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'same-origin');
  c.header('Cache-Control', 'no-store');
}

const NAV = [
  ['inbox', 'Inbox', '/app/inbox'],
  ['links', 'Links', '/app/links'],
  ['reports', 'Reports', '/app/reports'],
  ['actions', 'Changes', '/app/actions'],
] as const;

export function shell(o: { title: string; viewer: Viewer | null; nav?: (typeof NAV)[number][0]; body: Html; flash?: string | null }): Html {
  const v = o.viewer;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title} · adbrain</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/app/static/app.css?v=${ASSET_VERSION}"><script src="/app/static/app.js?v=${ASSET_VERSION}" defer></script></head>
<body>${v
    ? html`<header class="top"><strong class="brand">adbrain</strong><span class="muted agency">${v.agencyName}</span>
<nav>${NAV.map(([k, label, href]) => html`<a href="${href}"${o.nav === k ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
<form method="post" action="/app/sign-out" class="signout"><input type="hidden" name="csrf" value="${v.csrf}"><span class="muted">${v.name}${v.role === 'viewer' ? ' · viewer' : ''}</span> <button class="link">Sign out</button></form></header>`
    : ''}
<main>${o.flash ? html`<p class="flash" role="status">${o.flash}</p>` : ''}<h1>${o.title}</h1>${o.body}</main></body></html>`;
}

/** A page on its own (errors, sign-in), with the security headers. */
export function page(c: Context, status: 200 | 400 | 403 | 404 | 410 | 422 | 429 | 503, o: Parameters<typeof shell>[0]) {
  securityHeaders(c);
  return c.html(shell(o), status);
}

export { money, pct, count } from '../reports/format.ts';
