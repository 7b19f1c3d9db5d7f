import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';

/** The PDF's text (all pages) and page count, read with PDF.js. */
export async function pdfText(pdf: Uint8Array): Promise<{ text: string; pages: number }> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(doc, { mergePages: true });
  return { text, pages: doc.numPages };
}

/** Pages pdftoppm renders, or null when poppler-utils is not installed. */
export function popplerPages(pdf: Uint8Array): number | null {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'adbrain-pdf-'));
  writeFileSync(path.join(dir, 'r.pdf'), pdf);
  execFileSync('pdftoppm', ['-r', '30', '-png', path.join(dir, 'r.pdf'), path.join(dir, 'p')]);
  return readdirSync(dir).filter((f) => f.endsWith('.png')).length;
}
