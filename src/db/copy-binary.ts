// Reads PostgreSQL's binary COPY format (the output of Sql.copyOut): a signature,
// flags and a header extension, then per tuple a field count and each field as a
// length (-1 = NULL) and its bytes, ended by a field count of -1. Fields come
// back as views into the buffer (nothing copied); the caller decodes each column
// by its type (int4 / float8 big-endian, text as UTF-8, bytea as is).
const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

export type CopyField = Uint8Array | null;

export function readCopyBinary(buf: Uint8Array, onTuple: (fields: CopyField[]) => void): number {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const fail = (why: string): never => {
    throw new Error(`binary COPY output is malformed: ${why}`);
  };
  if (buf.length < 19 || SIGNATURE.some((b, i) => buf[i] !== b)) fail('no PGCOPY signature');
  let p = 15 + dv.getUint32(15) + 4;
  let tuples = 0;
  for (;;) {
    if (p + 2 > buf.length) fail('no end-of-data marker');
    const n = dv.getInt16(p);
    p += 2;
    if (n === -1) return tuples;
    const fields: CopyField[] = new Array(n);
    for (let f = 0; f < n; f++) {
      if (p + 4 > buf.length) fail(`tuple ${tuples + 1} is cut short`);
      const len = dv.getInt32(p);
      p += 4;
      if (len < 0) {
        fields[f] = null;
        continue;
      }
      if (p + len > buf.length) fail(`tuple ${tuples + 1} is cut short`);
      fields[f] = buf.subarray(p, p + len);
      p += len;
    }
    tuples++;
    onTuple(fields);
  }
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export const int4 = (b: CopyField): number => (b === null ? Number.NaN : view(b).getInt32(0));

const utf8 = new TextDecoder();
export const text = (b: CopyField): string | null => (b === null ? null : utf8.decode(b));

/** A bytea of big-endian int4s (string_agg of int4send) into `out`; returns the count. */
export function int4sInto(b: Uint8Array, out: Float64Array): number {
  const dv = view(b);
  const n = b.length >> 2;
  for (let k = 0; k < n; k++) out[k] = dv.getInt32(k << 2);
  return n;
}

/** A bytea of big-endian float8s (string_agg of float8send) into `out`; returns the count. */
export function float8sInto(b: Uint8Array, out: Float64Array): number {
  const dv = view(b);
  const n = b.length >> 3;
  for (let k = 0; k < n; k++) out[k] = dv.getFloat64(k << 3);
  return n;
}
