// What Inngest functions need from the process: one database and the config,
// opened on first use. Tests pass their own.
import { loadConfig, type Config } from '../config.ts';
import { openDb, type Db } from '../db/client.ts';

export interface Runtime {
  db: Db;
  config: Config;
  now: () => Date;
}

let shared: Promise<Runtime> | undefined;

export function processRuntime(): Promise<Runtime> {
  shared ??= (async () => {
    const config = loadConfig();
    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    return { db, config, now: config.now };
  })();
  return shared;
}
