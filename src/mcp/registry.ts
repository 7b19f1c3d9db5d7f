// One list of tools for every caller: the MCP server (stdio and HTTP) registers
// them, and `ask` offers the read-only ones to an LLM. A tool is a zod input
// schema, MCP annotations, and a function of the caller's scope and its input
// that returns concise JSON: money as formatted amounts in the client's currency
// ("$1,234.50"), rates as "12.5%", ROAS as "2.31×", counts as numbers — so an
// agent never has to guess a unit, and the grounding guard reads each value the
// way a person would write it.
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import type { McpScope } from './scope.ts';

export interface ToolDef<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  /** Changes data (the inbox, the kill list): refused to a viewer key, audited, never offered to `ask`. */
  destructive: boolean;
  /** Calling twice with the same input leaves the same state. */
  idempotent: boolean;
  run: (scope: McpScope, input: z.output<S>) => Promise<unknown>;
}

/** A tool that only reads. */
export const READS = { destructive: false, idempotent: true } as const;

export const defineTool = <S extends z.ZodObject>(t: ToolDef<S>): ToolDef => t as unknown as ToolDef;

/** The MCP annotations of a tool (hints a client shows before it calls one). */
export const annotationsOf = (t: ToolDef) => ({
  title: t.title,
  readOnlyHint: !t.destructive,
  destructiveHint: t.destructive,
  idempotentHint: t.idempotent,
  openWorldHint: false,
});

export interface ToolOutcome {
  ok: boolean;
  /** The result, or { error: { code, message, details } }. */
  body: unknown;
}

/** Runs a tool: input checked against its schema, errors turned into a body naming the field; never a stack trace. */
export async function runTool(scope: McpScope, t: ToolDef, raw: unknown): Promise<ToolOutcome> {
  const parsed = t.input.safeParse(raw ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message }));
    return { ok: false, body: { error: { code: 'invalid_input', message: `invalid input for ${t.name}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details } } };
  }
  try {
    return { ok: true, body: await t.run(scope, parsed.data) };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, body: { error: { code: err.code, message: err.message, details: err.details ?? null } } };
    // Not a caller's mistake: say so without internals (the server log has the error).
    process.stderr.write(`adbrain: mcp tool ${t.name} failed: ${(err as Error).message}\n`);
    return { ok: false, body: { error: { code: 'internal', message: `${t.name} failed on the server; try again, and check the server log if it persists`, details: null } } };
  }
}
