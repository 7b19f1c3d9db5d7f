// The brain's output as users and machines read it (`adbrain analyze --json`):
// insights with their type codes, forecasts with ROAS derived, the track record.
import { actionsByFinding, describeAction, findingKey } from './curiosity/actions.ts';
import type { BrainOutput } from './cycle.ts';
import type { EntityRef } from './types.ts';
import { toMajor } from '../domain/currency.ts';

const entityOut = (e: EntityRef | null) => e && { kind: e.kind, externalId: e.externalId, name: e.name, platform: e.platform };
export function presentAnalysis(out: BrainOutput, entities: Map<string, EntityRef>, currency = 'USD') {
  // `impact` is in the currency (12.34 dollars, 1234 yen); `impactCents` in its minor unit.
  const dollars = (minor: number) => toMajor(Math.round(minor), currency);
  const actionFor = actionsByFinding(out.curiosity.actions);
  const insights = [
    ...out.oracle.findings.map((f) => {
      const a = actionFor.get(findingKey(f));
      return {
        type: f.type,
        entity: entityOut(f.entity),
        severity: f.severity,
        impact: dollars(f.impactCents),
        impactCents: f.impactCents,
        confidence: f.confidence,
        since: f.since,
        title: f.title,
        facts: f.facts,
        action: a ? { kind: a.kind, rank: a.rank, urgency: a.urgency, what: describeAction(a) } : null,
      };
    }),
    ...out.curiosity.actions
      .filter((a) => !a.basedOn)
      .map((a) => ({
        type: 'action' as const,
        entity: entityOut(a.entity),
        severity: a.urgency,
        impact: dollars(a.impactCents),
        impactCents: a.impactCents,
        confidence: a.confidence,
        since: out.asOf,
        title: describeAction(a),
        facts: a.inputs,
        action: { kind: a.kind, rank: a.rank, urgency: a.urgency, what: describeAction(a) },
      })),
  ].sort((x, y) => (x.action?.rank ?? 1e9) - (y.action?.rank ?? 1e9));

  const byEntity = new Map<string, Map<string, BrainOutput['oracle']['forecasts'][number]>>();
  for (const f of out.oracle.forecasts) (byEntity.get(f.entityId) ?? byEntity.set(f.entityId, new Map()).get(f.entityId)!).set(f.metric, f);
  const forecasts = [...byEntity.entries()].map(([id, m]) => {
    const spend = m.get('spendCents');
    const revenue = m.get('revenueCents');
    return {
      entity: entityOut(entities.get(id) ?? null),
      metrics: Object.fromEntries([...m.entries()].map(([k, f]) => [k, { model: f.model, days: f.days.map((d) => ({ date: d.date, point: round2(d.point), lower: round2(d.lower), upper: round2(d.upper) })) }])),
      roas: spend && revenue ? spend.days.map((d, i) => ({ date: d.date, point: d.point > 0 ? round2(revenue.days[i]!.point / d.point) : null })) : null,
    };
  });
  return { asOf: out.asOf, insights, forecasts, gaps: out.oracle.gaps.length, pacing: out.oracle.pacing, trackRecord: out.oracle.trackRecord };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
