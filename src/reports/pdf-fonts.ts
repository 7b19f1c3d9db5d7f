// Fonts for the PDF, all from npm packages (nothing is downloaded at run time).
// DejaVu Sans (the full font) draws Latin with every accent, Greek, Cyrillic,
// Arabic, Hebrew, €, Δ, ≥ and ×. What it lacks falls back glyph by glyph
// (react-pdf's font substitution walks the family list per character): kana and
// CJK ideographs to Noto Sans JP, Hangul to Noto Sans KR, Devanagari and Thai to
// Noto Sans. A fallback is loaded only when the report has a character of its
// script: the CJK faces are 5–6 MB each and most reports never need them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Font } from '@react-pdf/renderer';

const require = createRequire(import.meta.url);

export const BASE_FAMILY = 'DejaVu Sans';

interface FontFace {
  family: string;
  /** Code point ranges (inclusive) this face is for. */
  ranges: [number, number][];
  src: (weight: 400 | 700) => string;
}

/** The packaged WOFF as a TrueType data URL: react-pdf would otherwise inflate the
 * WOFF on every render (≈ 1.5 s for a report), a TTF it parses once. */
function woffAsTtf(file: string): string {
  const { toSfnt } = require('woff2sfnt-sfnt2woff') as { toSfnt(woff: Buffer): Uint8Array };
  return `data:font/ttf;base64,${Buffer.from(toSfnt(readFileSync(require.resolve(file)))).toString('base64')}`;
}

const notoSans = (subset: string) => (w: 400 | 700) => woffAsTtf(`@fontsource/noto-sans/files/noto-sans-${subset}-${w}-normal.woff`);

export const FALLBACKS: FontFace[] = [
  {
    family: 'Noto Sans JP',
    ranges: [[0x2e80, 0x2fdf], [0x3000, 0x30ff], [0x31f0, 0x31ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff], [0xff00, 0xffef]],
    // TrueType files: react-pdf reads them from the path as they are.
    src: (w) => require.resolve(`@expo-google-fonts/noto-sans-jp/${w === 700 ? '700Bold/NotoSansJP_700Bold' : '400Regular/NotoSansJP_400Regular'}.ttf`),
  },
  {
    family: 'Noto Sans KR',
    ranges: [[0x1100, 0x11ff], [0x3130, 0x318f], [0xa960, 0xa97f], [0xac00, 0xd7ff]],
    src: (w) => require.resolve(`@expo-google-fonts/noto-sans-kr/${w === 700 ? '700Bold/NotoSansKR_700Bold' : '400Regular/NotoSansKR_400Regular'}.ttf`),
  },
  { family: 'Noto Sans Devanagari', ranges: [[0x0900, 0x097f], [0xa8e0, 0xa8ff]], src: notoSans('devanagari') },
  { family: 'Noto Sans Thai', ranges: [[0x0e00, 0x0e7f]], src: (w) => woffAsTtf(`@fontsource/noto-sans-thai/files/noto-sans-thai-thai-${w}-normal.woff`) },
];

const registered = new Set<string>();

function register(face: { family: string; src: (w: 400 | 700) => string }) {
  if (registered.has(face.family)) return;
  Font.register({ family: face.family, fonts: [{ src: face.src(400), fontWeight: 400 }, { src: face.src(700), fontWeight: 700 }] });
  registered.add(face.family);
}

/** The faces a text needs, in fallback order (the base first). */
export function familiesFor(text: string): string[] {
  const needed = new Set<FontFace>();
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x0100) continue; // the base face's own range: the common case
    for (const f of FALLBACKS) if (!needed.has(f) && f.ranges.some(([a, b]) => cp >= a && cp <= b)) needed.add(f);
  }
  return [BASE_FAMILY, ...FALLBACKS.filter((f) => needed.has(f)).map((f) => f.family)];
}

/** Registers the base face and the fallbacks `text` needs; returns the family list for styles. */
export function fontsFor(text: string): string[] {
  register({ family: BASE_FAMILY, src: (w) => woffAsTtf(`@fontsource/dejavu-sans/files/dejavu-sans-latin-${w}-normal.woff`) });
  const families = familiesFor(text);
  for (const f of FALLBACKS) if (families.includes(f.family)) register(f);
  return families;
}
