// Preloaded (--import) into a measured process: its peak memory (max RSS, KB) is
// written to $RSS_OUT when it exits, so benchmarks need no external `time`.
import { writeFileSync } from 'node:fs';

process.on('exit', () => writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));
