// The dtype and shape rule language: what parses, into what, and the messages for what does not.
import { describe, expect, it } from 'vitest';
import { dtypeArgs, parseDtypeRule, parseShapeRule } from '../src/rules.js';

const isArg = (n: string) => ['a', 'b', 'axis', 'keepdims'].includes(n);
const isDtype = (n: string) => ['bool', 'int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32', 'float32', 'complex64'].includes(n);

describe('dtype rules', () => {
  it('parses expressions and mappings', () => {
    const rule = parseDtypeRule('at_least_float(promote(a, b)); bool, int8 -> int32', isArg, isDtype);
    expect(rule.expr).toEqual({ kind: 'atLeastFloat', expr: { kind: 'promote', items: [{ kind: 'arg', name: 'a' }, { kind: 'arg', name: 'b' }] } });
    expect(rule.map).toEqual({ bool: 'int32', int8: 'int32' });
    expect(dtypeArgs(rule.expr)).toEqual(['a', 'b']);
    expect(parseDtypeRule('same(a)', isArg, isDtype).expr).toEqual({ kind: 'arg', name: 'a' });
    expect(parseDtypeRule('uint32', isArg, isDtype).expr).toEqual({ kind: 'dtype', name: 'uint32' });
  });

  it('rejects unknown names, functions and mappings', () => {
    expect(() => parseDtypeRule('same(c)', isArg, isDtype)).toThrow("'c' is neither an argument nor a dtype");
    expect(() => parseDtypeRule('widen(a)', isArg, isDtype)).toThrow('the functions are');
    expect(() => parseDtypeRule('same(a), bool -> int32', isArg, isDtype)).toThrow('is neither an argument nor a dtype');
    expect(() => parseDtypeRule('same(a); bool -> int128', isArg, isDtype)).toThrow("is not a mapping");
  });
});

describe('shape rules', () => {
  it('parses the four forms', () => {
    expect(parseShapeRule('same(a)', isArg)).toEqual({ kind: 'same', arg: 'a' });
    expect(parseShapeRule('broadcast(a, b)', isArg)).toEqual({ kind: 'broadcast', args: ['a', 'b'] });
    expect(parseShapeRule('reduce(a, axis, keepdims)', isArg)).toEqual({ kind: 'reduce', arg: 'a', axis: 'axis', keepdims: 'keepdims' });
    expect(parseShapeRule('[]', isArg)).toEqual({ kind: 'scalar' });
  });

  it('rejects the rest', () => {
    expect(() => parseShapeRule('broadcast(a, c)', isArg)).toThrow("'c' is not an argument");
    expect(() => parseShapeRule('shape', isArg)).toThrow('the rules are');
  });
});
