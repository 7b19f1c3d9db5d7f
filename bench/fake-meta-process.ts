// The loopback Graph API fake in its own process for bench:sync, so serving
// (JSON.stringify of pages) neither slows nor inflates the process being measured.
// argv: ads days; prints the URL on stdout, exits when stdin closes.
import { startFakeMeta } from '../test/fakes/meta-server.ts';
import { benchAccount } from './meta-account.ts';

const { ads, days } = benchAccount(Number(process.argv[2]), Number(process.argv[3]));
const meta = await startFakeMeta({ ads, days, pageSize: 5000, cacheRows: true });
process.stdout.write(`${meta.url}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await meta.close();
  process.exit(0);
});
