// The MLX Python reference fixtures (recorded by scripts/record-reference.py), grouped by case.
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import * as mx from '@mlxts/core';
import { expectCloseNd, readFixture, toNd } from '@mlxts/testing';

export interface ReferenceCase {
  name: string;
  /** Per-case settings the script recorded (seed, train, init_seed). */
  settings: { seed?: number; train?: boolean; init_seed?: number | null };
  weights: [string, mx.Tensor][];
  inputs: mx.Tensor[];
  outputs: mx.Tensor[];
  after: [string, mx.Tensor][];
  init: [string, mx.Tensor][];
}

/** The cases of a fixture file in test/fixtures, in the order the script recorded them. */
export function referenceCases(file: string): Map<string, ReferenceCase> {
  const { tensors, metadata } = readFixture(fileURLToPath(new URL(`../fixtures/${file}`, import.meta.url)));
  const settings = JSON.parse(metadata.cases ?? '{}') as Record<string, ReferenceCase['settings']>;
  const cases = new Map<string, ReferenceCase>();
  const get = (name: string) => {
    let c = cases.get(name);
    if (!c) cases.set(name, (c = { name, settings: settings[name] ?? {}, weights: [], inputs: [], outputs: [], after: [], init: [] }));
    return c;
  };
  for (const [key, tensor] of tensors) {
    const [name, role, rest] = key.split(/\/(.*?)\/(.*)/s);
    const c = get(name);
    if (role === 'input') c.inputs[Number(rest)] = tensor;
    else if (role === 'output') c.outputs[Number(rest)] = tensor;
    else if (role === 'weights' || role === 'after' || role === 'init') c[role].push([rest, tensor]);
    else throw new Error(`unknown role in fixture key ${key}`);
  }
  return cases;
}

/** Elementwise |actual - expected| <= tol * (1 + |expected|), with the same shape (and dtype if asked). */
export function expectClose(actual: mx.Tensor, expected: mx.Tensor, tol: number, context: string): void {
  expect(actual.dtype, `${context}: dtype`).toBe(expected.dtype);
  expectCloseNd(toNd(actual), toNd(expected), tol, context);
}

/** Two flattened parameter lists with the same names, each tensor close. */
export function expectSameParameters(actual: [string, mx.Tensor][], expected: [string, mx.Tensor][], tol: number, context: string): void {
  expect(actual.map(([k]) => k).sort(), `${context}: parameter names`).toEqual(expected.map(([k]) => k).sort());
  const byName = new Map(actual);
  for (const [name, t] of expected) expectClose(byName.get(name)!, t, tol, `${context}: ${name}`);
}
