// Shopify's documented calculated query cost, as the fake Admin API charges it:
// a scalar or enum field costs 0, an object 1, a connection (a field taking
// `first` / `last`) 2 plus the page size times the cost of one node; `edges` and
// `pageInfo` add nothing of their own. (250 orders with five nested objects each
// cost 2 + 250 × 10 = 2,502 — over the 1,000-point single-query maximum.)

type Field = { name: string; args: string; children: Field[] | null };

function parseSelection(src: string, at: { i: number }): Field[] {
  const fields: Field[] = [];
  const skip = () => {
    while (at.i < src.length && /[\s,]/.test(src[at.i]!)) at.i++;
  };
  for (;;) {
    skip();
    if (at.i >= src.length || src[at.i] === '}') {
      at.i++;
      return fields;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(at.i))?.[0];
    if (!name) throw new Error(`fake Shopify: cannot read the query at ${at.i}`);
    at.i += name.length;
    skip();
    let args = '';
    if (src[at.i] === '(') {
      const end = src.indexOf(')', at.i);
      args = src.slice(at.i + 1, end);
      at.i = end + 1;
      skip();
    }
    let children: Field[] | null = null;
    if (src[at.i] === '{') {
      at.i++;
      children = parseSelection(src, at);
    }
    fields.push({ name, args, children });
  }
}

function pageSizeOf(args: string, variables: Record<string, unknown>): number | null {
  const m = /\b(first|last)\s*:\s*(\$?\w+)/.exec(args);
  if (!m) return null;
  const v = m[2]!.startsWith('$') ? variables[m[2]!.slice(1)] : m[2];
  return Number(v ?? 0);
}

function costOf(f: Field, variables: Record<string, unknown>): number {
  if (!f.children) return 0;
  const inner = f.children.reduce((s, c) => s + costOf(c, variables), 0);
  if (f.name === 'edges' || f.name === 'pageInfo') return f.name === 'edges' ? inner : 0;
  const n = pageSizeOf(f.args, variables);
  // A connection's children are edges { node }: the node is the object paid per item.
  if (n !== null) return 2 + n * inner;
  return 1 + inner;
}

/** The requested cost of a query; the node cost of each connection is reported too. */
export function queryCost(query: string, variables: Record<string, unknown> = {}): number {
  const open = query.indexOf('{');
  if (open < 0) return 0;
  const root = parseSelection(query, { i: open + 1 });
  return root.reduce((s, f) => s + costOf(f, variables), 0);
}
