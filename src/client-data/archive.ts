// `adbrain clients export` / GET /v1/clients/{id}/export.zip: everything the
// client owns as one zip — a CSV per table of plain columns, a JSON array per
// table with JSON or array columns, every delivered report body as its own file,
// and manifest.json (files, rows, SHA-256, the schema's last migration). One
// REPEATABLE READ transaction: the files agree with each other even while syncs
// write. Tables are read in pages along ctid, so a client with millions of rows
// streams through in bounded memory.
import { createHash } from 'node:crypto';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { Db } from '../db/client.ts';
import type { Sql } from '../db/sql.ts';
import { csvLine } from '../exports/csv.ts';
import { OWNED, type OwnedTable } from './tables.ts';

const PAGE = 5_000;

export interface ManifestFile { name: string; table?: string; rows?: number; bytes: number; sha256: string }
export interface Manifest {
  format: 'adbrain-client-export';
  version: 1;
  client: { id: string; slug: string; name: string };
  createdAt: string;
  schema: string | null;
  files: ManifestFile[];
}

interface Column { name: string; type: string }

/** Writes the client's archive to `out` (a file stream, an HTTP body) and answers its manifest. */
export async function writeClientArchive(db: Db, client: { id: string; slug: string; name: string }, out: Writable, now = new Date()): Promise<Manifest> {
  return db.sql.tx(async (sql) => {
    await sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const manifest: Manifest = { format: 'adbrain-client-export', version: 1, client: { id: client.id, slug: client.slug, name: client.name }, createdAt: now.toISOString(), schema: await lastMigration(sql), files: [] };
    const zip = new yazl.ZipFile();
    const done = pipeline(zip.outputStream, out);
    const add = (name: string, gen: AsyncGenerator<string | Buffer>, table?: string, rows?: () => number) => {
      const hash = createHash('sha256');
      let bytes = 0;
      const counted = (async function* () {
        for await (const chunk of gen) {
          const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          hash.update(b);
          bytes += b.length;
          yield b;
        }
        manifest.files.push({ name, ...(table ? { table, rows: rows?.() ?? 0 } : {}), bytes, sha256: hash.digest('hex') });
      })();
      zip.addReadStream(Readable.from(counted), name, { mtime: now });
    };
    for (const t of OWNED) {
      if (t.omit?.includes('*')) continue;
      const cols = (await columns(sql, t.table)).filter((c) => !t.omit?.includes(c.name));
      const asJson = cols.some((c) => c.type === 'json' || c.type === 'jsonb' || c.type === 'ARRAY');
      let n = 0;
      add(`${t.table}.${asJson ? 'json' : 'csv'}`, tableFile(sql, t, cols, client.id, asJson, (k) => { n += k; }), t.table, () => n);
    }
    for (const r of await reportBodies(sql, client.id)) add(r.name, r.body());
    // Last: yazl reads entries in order, so by now every file above has been counted.
    zip.addReadStream(Readable.from((async function* () { yield Buffer.from(JSON.stringify(manifest, null, 2) + '\n'); })()), 'manifest.json', { mtime: now });
    zip.end();
    await done;
    return manifest;
  });
}

/** The archive as a web stream (for an HTTP answer); errors end the stream. */
export function clientArchiveStream(db: Db, client: { id: string; slug: string; name: string }, now = new Date()): ReadableStream<Uint8Array> {
  const pass = new PassThrough();
  writeClientArchive(db, client, pass, now).catch((err) => pass.destroy(err));
  return Readable.toWeb(pass) as ReadableStream<Uint8Array>;
}

async function* tableFile(sql: Sql, t: OwnedTable, cols: Column[], clientId: string, asJson: boolean, count: (n: number) => void): AsyncGenerator<string> {
  if (asJson) yield '[\n';
  else yield csvLine(cols.map((c) => c.name));
  const select = asJson
    ? `(to_jsonb(t) ${(t.omit ?? []).map((c) => `- '${c}'`).join(' ')})::text AS j`
    : cols.map((c) => `t."${c.name}"::text AS "${c.name}"`).join(', ');
  let after = '(0,0)';
  let first = true;
  for (;;) {
    const rows = await sql.query<Record<string, string | null> & { _ctid: string }>(
      `SELECT ${select}, t.ctid::text AS _ctid FROM "${t.table}" t WHERE ${t.where.replace(/\$1/g, '$1::uuid')} AND t.ctid > $2::tid ORDER BY t.ctid LIMIT ${PAGE}`,
      [clientId, after],
    );
    if (rows.length === 0) break;
    let chunk = '';
    for (const r of rows) {
      if (asJson) {
        chunk += `${first ? '' : ',\n'}${r.j}`;
        first = false;
      } else chunk += csvLine(cols.map((c) => r[c.name]));
    }
    count(rows.length);
    yield chunk;
    after = rows.at(-1)!._ctid;
    if (rows.length < PAGE) break;
  }
  if (asJson) yield first ? ']\n' : '\n]\n';
}

/** The client's report bodies, each read only when the zip gets to it (years of PDFs are never held at once). */
async function reportBodies(sql: Sql, clientId: string): Promise<{ name: string; body: () => AsyncGenerator<Buffer | string> }[]> {
  const rows = await sql.query<{ id: string; day: string; kind: string; html: boolean; text: boolean; pdf: boolean }>(
    'SELECT id::text, period_start::text AS day, kind, html IS NOT NULL AS html, text IS NOT NULL AS text, pdf IS NOT NULL AS pdf FROM report WHERE client_id = $1::uuid ORDER BY period_start, id',
    [clientId],
  );
  const read = (id: string, col: 'html' | 'text' | 'pdf') => async function* () {
    const [b] = await sql.query<{ v: string }>(`SELECT ${col === 'pdf' ? "encode(pdf, 'base64')" : col} AS v FROM report WHERE id = $1::uuid`, [id]);
    yield col === 'pdf' ? Buffer.from(b!.v, 'base64') : b!.v;
  };
  return rows.flatMap((r) => {
    const base = `reports/${r.day}-${r.kind}-${r.id.slice(0, 8)}`;
    return [
      ...(r.html ? [{ name: `${base}.html`, body: read(r.id, 'html') }] : []),
      ...(r.text ? [{ name: `${base}.txt`, body: read(r.id, 'text') }] : []),
      ...(r.pdf ? [{ name: `${base}.pdf`, body: read(r.id, 'pdf') }] : []),
    ];
  });
}

async function columns(sql: Sql, table: string): Promise<Column[]> {
  return sql.query<Column>(
    "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    [table],
  );
}

async function lastMigration(sql: Sql): Promise<string | null> {
  const [m] = await sql.query<{ name: string }>('SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name DESC LIMIT 1').catch(() => []);
  return m?.name ?? null;
}
