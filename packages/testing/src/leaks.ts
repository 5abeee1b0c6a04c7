// Asserts that a piece of test code leaves no live tensors behind.
import { expect } from 'vitest';
import * as mx from '@mlxts/core';

/** Runs `body` inside mx.tidy and checks the live tensor count returns to where it started. */
export function withoutLeaks<T>(body: () => T): T {
  const before = mx.memory().liveTensors;
  const result = mx.tidy(body);
  if (!mx.isTensor(result)) expect(mx.memory().liveTensors, 'live tensors after the test').toBe(before);
  return result;
}
