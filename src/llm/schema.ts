// What a summary is: the shape the model must return (validated with zod) and
// the shape the report shows (always complete: every ranked action has words).
import { z } from 'zod';

export const summaryOutputSchema = z.object({
  headline: z.string().min(10).max(200).describe('One sentence: the most important thing about the day, with its number.'),
  paragraphs: z
    .array(z.string().min(1).max(900))
    .min(1)
    .max(4)
    .describe('Two or three short paragraphs: what changed, why it matters, what to do first. Numbers only as given in the facts.'),
  actions: z
    .array(
      z.object({
        ref: z.string().regex(/^A\d{1,2}$/).describe('The ref of the action in the facts, e.g. "A1".'),
        wording: z.string().min(3).max(400).describe('One or two sentences telling the user what to do and why.'),
      }),
    )
    .max(10)
    .describe('One entry per action in the facts, in rank order.'),
});

export type SummaryOutput = z.infer<typeof summaryOutputSchema>;

export interface Summary {
  headline: string;
  paragraphs: string[];
  /** Wording per ranked action, in rank order. */
  actions: { ref: string; rank: number; wording: string }[];
}

export const summaryJsonSchema = z.toJSONSchema(summaryOutputSchema) as Record<string, unknown>;
