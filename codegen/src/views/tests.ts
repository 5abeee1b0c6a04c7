// The test view: the opSuite() configuration of each op's generated vitest file.
import type { Op } from '../model.js';
import { fnRef, jsLiteral, markerText } from './common.js';

export interface TestOpView {
  readonly marker: string;
  readonly path: string;
  readonly name: string;
  /** How the test refers to the op function, e.g. `mx.add` or `linalg.qr`. */
  readonly fnRef: string;
  /** The family's own module, imported under the family's name (absent for core, which is `mx`). */
  readonly familyImport?: { readonly namespace: string; readonly module: string };
  /** Set when the reference calls helpers from the family's test/support/refs.ts. */
  readonly refsModule?: string;
  readonly property?: {
    readonly kind: string;
    readonly reference: string;
    readonly dtypes: string;
    readonly domain: string;
    readonly tolerance: string;
    readonly laws: string;
    readonly inputs: string;
    readonly shapes: string;
  };
  readonly skip?: string;
  readonly examples: readonly { title: string; code: string; expect: string }[];
  readonly errors: readonly { code: string; codeText: string; error: string; message: string; phase: string }[];
}

export function testOpView(op: Op): TestOpView {
  const t = op.test;
  return {
    marker: markerText(op.file),
    path: `${op.family.dir}/test/generated/${op.qualifiedName}.test.ts`,
    name: op.qualifiedName,
    fnRef: fnRef(op),
    familyImport: op.family.id === 'core' ? undefined : { namespace: op.family.id, module: op.family.package },
    refsModule: t.reference?.includes('refs.') ? '../support/refs.js' : undefined,
    property:
      t.kind === 'none'
        ? undefined
        : {
            kind: JSON.stringify(t.kind),
            reference: t.reference!.trim(),
            dtypes: JSON.stringify(t.dtypes),
            domain: JSON.stringify(t.domain),
            tolerance: JSON.stringify(t.tolerance),
            laws: JSON.stringify(t.laws),
            inputs: JSON.stringify(t.inputs),
            shapes: JSON.stringify(t.shapes),
          },
    skip: t.skip ? JSON.stringify(t.skip) : undefined,
    examples: op.examples.map((e) => ({ title: JSON.stringify(e.title), code: e.code.trim(), expect: jsLiteral(e.expect) })),
    errors: op.errors.map((e) => ({
      code: e.code.trim(),
      codeText: JSON.stringify(e.code.trim()),
      error: JSON.stringify(e.error),
      message: JSON.stringify(e.message),
      phase: JSON.stringify(e.phase),
    })),
  };
}
