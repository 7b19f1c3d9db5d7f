// Small pieces every page of the web inbox shares.
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { WebEnv } from './auth.ts';
import { page } from './layout.ts';
import { refToId } from '../api/common.ts';
import { AppError } from '../errors.ts';

/** The agency's clients for the filters, by name. */
export function clientChoices(c: Context<WebEnv>) {
  return c.get('deps').db.prisma.client.findMany({ where: { agencyId: c.get('viewer').agencyId }, select: { id: true, slug: true, name: true, currency: true }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
}

export const forbidden = (c: Context<WebEnv>) =>
  page(c, 403, { title: 'Not allowed', viewer: c.get('viewer'), body: html`<p>You are signed in as a viewer: you can see everything, but not change it. Ask an admin of your agency for the member role.</p>` });

export const formExpired = (c: Context<WebEnv>) =>
  page(c, 403, { title: 'Please try again', viewer: c.get('viewer'), body: html`<p>This form came without its token (or from another page). Nothing was changed. Go back, reload and try again.</p>` });

/** The client a filter names (id, prefix or slug; "all" or nothing: every client), or what is wrong with it. */
export async function clientFilter(c: Context<WebEnv>, ref: string | undefined): Promise<{ clientId?: string; error?: string }> {
  if (!ref || ref === 'all') return {};
  try {
    return { clientId: await refToId(c, 'client', ref, 'client') };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { error: e.message };
  }
}
