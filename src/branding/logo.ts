// An uploaded logo, checked and turned into what emails and PDFs can show: a PNG
// at twice its display size. Mail clients (Gmail, Outlook) do not show SVG and
// react-pdf draws only PNG / JPEG, so an SVG is rasterized (resvg: a Rust
// renderer shipped as a prebuilt npm binary, no browser, no network — it never
// fetches what an SVG links to). A PNG or JPEG goes through the same renderer,
// so a 4,000-pixel logo becomes a small image instead of weighing down every email.
import { Resvg } from '@resvg/resvg-js';
import { imageSize } from 'image-size';
import { AppError } from '../errors.ts';

export const LOGO_MAX_BYTES = 1024 * 1024;
const MAX_SIDE = 5000;
const MIN_SIDE = 16;
/** The box the logo is shown in (CSS px / PDF pt): fitted inside, proportions kept. */
export const LOGO_BOX = { width: 240, height: 56 };

export type LogoType = 'image/png' | 'image/jpeg' | 'image/svg+xml';

export interface ProcessedLogo {
  type: LogoType;
  /** What emails and PDFs show. */
  png: Buffer;
  /** Display size inside LOGO_BOX. */
  width: number;
  height: number;
}

function typeOf(bytes: Buffer): LogoType | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const head = bytes.subarray(0, 2048).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return null;
}

const refuse = (message: string): never => {
  throw new AppError('invalid_input', `logo: ${message}`, [{ path: 'logo', message }]);
};

/** Checks an uploaded logo and makes its PNG; refuses what it cannot show, saying why. */
export function processLogo(bytes: Buffer): ProcessedLogo {
  if (bytes.length === 0) refuse('the file is empty');
  if (bytes.length > LOGO_MAX_BYTES) refuse(`the file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; at most 1 MB (a logo for emails needs far less: export it at about 500 px wide)`);
  const type = typeOf(bytes) ?? refuse('not a PNG, JPEG or SVG file');
  let width: number, height: number;
  if (type === 'image/svg+xml') {
    let svg: Resvg;
    try {
      svg = new Resvg(bytes, { font: { loadSystemFonts: true }, shapeRendering: 2, textRendering: 1 });
    } catch (err) {
      return refuse(`the SVG cannot be read (${String((err as Error).message).slice(0, 120)})`);
    }
    width = svg.width;
    height = svg.height;
  } else {
    // The renderer draws a cut-short image as nothing, without an error: the file must end as its format ends.
    const whole = type === 'image/png' ? bytes.subarray(-8, -4).toString('latin1') === 'IEND' : bytes.subarray(-64).includes(Buffer.from([0xff, 0xd9]));
    try {
      if (!whole) throw new Error('cut short');
      ({ width = 0, height = 0 } = imageSize(bytes));
    } catch {
      return refuse(`the ${type === 'image/png' ? 'PNG' : 'JPEG'} file is damaged or cut short`);
    }
  }
  if (!(width >= MIN_SIDE && height >= MIN_SIDE)) refuse(`${Math.round(width)}×${Math.round(height)} px is too small to read; at least ${MIN_SIDE} px a side`);
  if (width > MAX_SIDE || height > MAX_SIDE) refuse(`${Math.round(width)}×${Math.round(height)} px; at most ${MAX_SIDE} px a side`);
  const scale = Math.min(LOGO_BOX.width / width, LOGO_BOX.height / height);
  const shown = { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
  // A raster logo is drawn inside an SVG of its own size, so one renderer scales every kind.
  const source = type === 'image/svg+xml'
    ? bytes
    : Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}"><image width="${width}" height="${height}" xlink:href="data:${type};base64,${bytes.toString('base64')}"/></svg>`);
  let png: Buffer;
  try {
    png = new Resvg(source, { fitTo: { mode: 'height', value: shown.height * 2 }, font: { loadSystemFonts: true } }).render().asPng();
  } catch (err) {
    return refuse(`the image cannot be drawn (${String((err as Error).message).slice(0, 120)})`);
  }
  return { type, png, ...shown };
}
