// Minimising a failing call: try smaller variants one at a time (arguments left out, smaller shapes,
// plainer values, no views) and keep each one that still fails the same way, until none does.
import { isOmitted, type Call } from './call.js';
import type { Recipe } from './recipe.js';

/** Smaller variants of a call, the most promising first. */
export function shrinkCandidates(call: Call): Call[] {
  const out: Call[] = [];
  if (call.extra.length > 0) out.push({ ...call, extra: [] });
  if (call.options !== null) {
    out.push({ ...call, options: null });
    call.options.forEach((_, i) => out.push({ ...call, options: call.options!.filter((__, j) => j !== i) }));
  }
  if (call.asMethod) out.push({ ...call, asMethod: false });
  call.positional.forEach((r, i) => {
    if (call.target.positional[i]?.optional && !isOmitted(r)) out.push(withArg(call, i, { kind: 'value', value: undefined }));
    for (const smaller of shrinkRecipe(r)) out.push(withArg(call, i, smaller));
  });
  call.options?.forEach(([key, r], i) => {
    for (const smaller of shrinkRecipe(r)) out.push({ ...call, options: call.options!.map((e, j) => (j === i ? [key, smaller] as const : e)) });
  });
  return out;
}

function withArg(call: Call, index: number, r: Recipe): Call {
  return { ...call, positional: call.positional.map((p, i) => (i === index ? r : p)) };
}

export function shrinkRecipe(r: Recipe): Recipe[] {
  switch (r.kind) {
    case 'tensor': {
      const out: Recipe[] = [];
      if (r.disposed) out.push({ ...r, disposed: false });
      if (r.view !== 'none') out.push({ ...r, view: 'none' });
      r.shape.forEach((d, i) => {
        if (r.shape.length > 0) out.push({ ...r, shape: r.shape.filter((_, j) => j !== i) });
        for (const smaller of smallerSizes(d)) out.push({ ...r, shape: r.shape.map((e, j) => (j === i ? smaller : e)) });
      });
      if (r.values.length > 1) out.push({ ...r, values: r.values.slice(0, 1) }, { ...r, values: r.values.slice(1) });
      if (r.values.length === 1 && r.values[0] !== 0 && typeof r.values[0] === 'number') out.push({ ...r, values: [0] });
      return out;
    }
    case 'list':
      return [
        ...r.items.map((_, i) => ({ ...r, items: r.items.filter((__, j) => j !== i) })),
        ...r.items.flatMap((item, i) => shrinkRecipe(item).map((s) => ({ ...r, items: r.items.map((e, j) => (j === i ? s : e)) }))),
      ];
    case 'object':
      return [
        ...r.entries.map((_, i) => ({ ...r, entries: r.entries.filter((__, j) => j !== i) })),
        ...r.entries.flatMap(([k, v], i) => shrinkRecipe(v).map((s) => ({ ...r, entries: r.entries.map((e, j) => (j === i ? ([k, s] as [string, Recipe]) : e)) }))),
      ];
    case 'value':
      return typeof r.value === 'number' && r.value !== 0 && Number.isFinite(r.value) && Math.abs(r.value) > 1
        ? [{ ...r, value: Math.trunc(r.value / 2) }, { ...r, value: 1 }]
        : [];
    case 'code':
      return [];
  }
}

function smallerSizes(d: number): number[] {
  if (d <= 1) return d === 1 ? [0] : [];
  return [...new Set([1, Math.floor(d / 2), d - 1])];
}

/** Shrinks `call` while `stillFails` holds, trying at most `budget` candidates. */
export async function minimise(call: Call, stillFails: (c: Call) => Promise<boolean>, budget: number): Promise<{ call: Call; tries: number }> {
  let best = call;
  let tries = 0;
  let progress = true;
  while (progress && tries < budget) {
    progress = false;
    for (const candidate of shrinkCandidates(best)) {
      if (tries++ >= budget) break;
      if (await stillFails(candidate)) {
        best = candidate;
        progress = true;
        break;
      }
    }
  }
  return { call: best, tries };
}
