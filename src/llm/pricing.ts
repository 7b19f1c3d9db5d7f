// List prices (USD per million tokens) for a cost estimate on each LlmCall row.
// Matched by model-name prefix, longest first; unknown models cost 0 and say so.
const PRICES: [prefix: string, input: number, output: number][] = [
  ['claude-opus-4-1', 15, 75],
  ['claude-opus-4', 5, 25],
  ['claude-sonnet-4', 3, 15],
  ['claude-haiku-4', 1, 5],
  ['claude-3-5-haiku', 0.8, 4],
  ['gpt-5-nano', 0.05, 0.4],
  ['gpt-5-mini', 0.25, 2],
  ['gpt-5', 1.25, 10],
  ['gpt-4.1-nano', 0.1, 0.4],
  ['gpt-4.1-mini', 0.4, 1.6],
  ['gpt-4.1', 2, 8],
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
].sort((a, b) => (b[0] as string).length - (a[0] as string).length) as [string, number, number][];

export function costUsd(model: string, inputTokens: number, outputTokens: number): number | null {
  const p = PRICES.find(([prefix]) => model.startsWith(prefix));
  if (!p) return null;
  return Math.round(((inputTokens * p[1] + outputTokens * p[2]) / 1e6) * 1e6) / 1e6;
}
