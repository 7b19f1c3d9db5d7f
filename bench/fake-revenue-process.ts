// The loopback RedTrack and Shopify fakes in their own process for bench:sync, so
// serving them neither slows nor inflates the process being measured.
// argv: conversions links orders days; prints {"redtrack":url,"shopify":url} on stdout, exits when stdin closes.
import { startFakeRedTrack } from '../test/fakes/redtrack-server.ts';
import { startFakeShopify } from '../test/fakes/shopify-server.ts';
import { redtrackAccount, REVENUE_LAST, REVENUE_TZ, shopifyShop } from './revenue-account.ts';

const [conversions, links, orders, days] = process.argv.slice(2).map(Number) as [number, number, number, number];
const rt = await startFakeRedTrack({ ...redtrackAccount(conversions, links, days), timezone: REVENUE_TZ, currency: 'USD' });
const shop = await startFakeShopify({ orders: shopifyShop(orders, days), currency: 'USD', timezone: REVENUE_TZ, now: () => Date.parse(`${REVENUE_LAST}T20:00:00Z`) });
process.stdout.write(`${JSON.stringify({ redtrack: rt.url, shopify: shop.url, apiKey: rt.apiKey, token: shop.token })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await Promise.all([rt.close(), shop.close()]);
  process.exit(0);
});
