// Delivery without an email provider: files in <outbox>/<client>/<date>/.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeOutbox(
  outboxDir: string,
  clientSlug: string,
  date: string,
  files: Record<string, string | Uint8Array>,
): Promise<string> {
  const dir = path.join(outboxDir, clientSlug, date);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    // Write then rename, so a reader never sees half a file.
    const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
    await writeFile(tmp, content);
    await rename(tmp, path.join(dir, name));
  }
  return dir;
}
