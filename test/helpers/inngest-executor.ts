// A test stand-in for the Inngest executor: it drives a served function over
// HTTP the way Inngest does (SDK protocol of inngest 4.24 — pinned), keeping the
// step memo itself. It can lose a step's result once (as if the worker died
// after the step ran) to show that re-running any step is harmless.
import { createHmac, randomUUID } from 'node:crypto';

export interface DriveOptions {
  /** Signs requests like Inngest does; omit for dev mode. */
  signingKey?: string;
  /** Called with each step's name as it completes; return true to lose that result once. */
  loseResult?: (stepName: string) => boolean;
  maxCalls?: number;
}

export interface DriveResult {
  status: number;
  result: unknown;
  calls: number;
  stepsRun: string[];
  retries: number;
}

/** JSON with sorted keys (RFC 8785 for plain JSON): what Inngest signs. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** `x-inngest-signature` for a request body: HMAC-SHA256 of the canonical body + timestamp. */
export function sign(body: string, signingKey: string, at = Math.floor(Date.now() / 1000)): string {
  const key = signingKey.replace(/^signkey-\w+-/, '');
  const mac = createHmac('sha256', key).update(canonical(JSON.parse(body)) + at).digest('hex');
  return `t=${at}&s=${mac}`;
}

export async function drive(baseUrl: string, fnId: string, event: { name: string; data: unknown; id?: string }, o: DriveOptions = {}): Promise<DriveResult> {
  const runId = `01${randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase()}`;
  const ev = { ...event, id: event.id ?? randomUUID(), ts: Date.now() };
  const steps: Record<string, { type: 'data'; data: unknown }> = {};
  const stack: string[] = [];
  const lost = new Set<string>();
  const stepsRun: string[] = [];
  let attempt = 0;
  let retries = 0;
  for (let calls = 1; calls <= (o.maxCalls ?? 100); calls++) {
    const body = JSON.stringify({
      version: 2,
      event: ev,
      events: [ev],
      steps,
      ctx: { run_id: runId, attempt, disable_immediate_execution: false, use_api: false, stack: { stack, current: stack.length } },
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.signingKey) headers['x-inngest-signature'] = sign(body, o.signingKey);
    const res = await fetch(`${baseUrl}/api/inngest?fnId=${encodeURIComponent(fnId)}&stepId=step`, { method: 'POST', headers, body });
    const text = await res.text();
    const payload = text ? JSON.parse(text) : null;
    if (res.status === 200) return { status: 200, result: payload, calls, stepsRun, retries };
    if (res.status === 206) {
      const ops = payload as { op: string; id: string; name?: string; displayName?: string; data?: unknown; error?: unknown }[];
      for (const op of ops) {
        const name = op.displayName ?? op.name ?? op.id;
        if (op.op === 'StepRun' || op.op === 'Step') {
          stepsRun.push(name);
          if (o.loseResult?.(name) && !lost.has(name)) {
            // The result never reached the executor: the same step will run again.
            lost.add(name);
            continue;
          }
          steps[op.id] = { type: 'data', data: op.data ?? null };
          stack.push(op.id);
          attempt = 0;
        } else if (op.op === 'StepError' || op.op === 'StepFailed') {
          stepsRun.push(`${name}:error`);
          attempt++;
          retries++;
        } else if (op.op === 'StepPlanned') {
          // Planned steps run on the next call with that step requested; this harness
          // lets the SDK run them immediately instead.
        } else {
          throw new Error(`the harness does not handle op ${op.op}`);
        }
      }
      continue;
    }
    if (res.status >= 500) {
      // The function threw between steps: Inngest retries the request.
      attempt++;
      retries++;
      if (attempt > 5) return { status: res.status, result: payload, calls, stepsRun, retries };
      continue;
    }
    return { status: res.status, result: payload, calls, stepsRun, retries };
  }
  throw new Error('the run did not finish within maxCalls');
}
