import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { functionLengths } from './function-lengths.ts';

const root = mkdtempSync(join(tmpdir(), 'function-lengths-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lines = (n: number, text = 'x++;') => Array.from({ length: n }, () => `  ${text}`).join('\n');

describe('function lengths: every function outside the tests, measured first line to last', () => {
  test('counts declarations, methods, constructors and arrow functions, nested ones inside their outer one, and skips the tests', () => {
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { noEmit: true, strict: true }, include: ['src'] }));
    writeFileSync(
      join(root, 'src/code.ts'),
      [
        'let x = 0;',
        '/** A doc comment is not counted. */',
        'export function outer(): void {',
        lines(3),
        '  const inner = () => {',
        lines(2),
        '  };',
        '  inner();',
        '}',
        'export class Thing {',
        '  constructor() {}',
        '  method(): number {',
        lines(1, 'return 1;'),
        '  }',
        '}',
        'export const arrow = () => 1;',
      ].join('\n'),
    );
    writeFileSync(join(root, 'src/code.test.ts'), `export function inATest(): void {\n${lines(100)}\n}\n`);
    const found = functionLengths(root).map((f) => `${f.file}:${f.line} ${f.name} ${f.lines}`);
    expect(found).toEqual([
      'src/code.ts:3 outer 10',
      'src/code.ts:7 outer › inner 4',
      'src/code.ts:15 Thing.method 3',
      'src/code.ts:14 Thing.constructor 1',
      'src/code.ts:19 arrow 1',
    ]);
  });
});
