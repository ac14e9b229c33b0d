import { describe, expect, test } from 'vitest';
import { parseSource, solutionCodeInComments, todoCommentLines, voidStatements } from './skeleton-rules.ts';

const SOLUTION = `import { select, type Socket } from './native.ts';
const TOKEN = /^[!#$%&'*+.^_\`|~0-9A-Za-z-]+$/;
export function loop(server: Socket): void {
  const [readable, writable] = select(toMonitor, owed, []);
  const page = \`<h1>Blog</h1>
    <p>const never = "a line of code";</p>\`;
  return;
}
`;

describe('skeleton rules: the answer is not printed beside the question', () => {
  test('a solution line in a comment is found, whatever its spacing, with the line of the comment', () => {
    const skeleton = `/**\n * The loop.\n */\nexport function loop(server: Socket): void {\n  // first: const [readable,writable] =\n  //   select(toMonitor,  owed, []);\n  throw new Error('TODO');\n}\n`;
    expect(solutionCodeInComments(skeleton, SOLUTION)).toEqual([{ line: 5, code: 'const [readable, writable] = select(toMonitor, owed, []);' }]);
    const inDoc = `/** Waits: const [readable, writable] = select(toMonitor, owed, []); */\n`;
    expect(solutionCodeInComments(inDoc, SOLUTION)).toHaveLength(1);
  });

  test('a contract that names things, short lines and the text of a page are not code given away', () => {
    const skeleton = `/** return; select() the \`select\` import; a page with <h1>Blog</h1>; const never = "a line of code"; */\nexport const x = 1;\n`;
    expect(solutionCodeInComments(skeleton, SOLUTION)).toEqual([]);
  });

  test('quotes inside a regular expression do not start a string', () => {
    const { codeLines, comments } = parseSource(`const A = /['"\`]/g; // a comment\nconst B = 1 / 2; // another\n`);
    expect(codeLines.map((l) => l.trim())).toEqual([`const A = /['"\`]/g;`, 'const B = 1 / 2;', '']);
    expect(comments.map((c) => c.text)).toEqual(['acomment', 'another']);
  });

  test('TODO guidance is counted with its continuation lines, and void statements are found', () => {
    const source = `function f() {\n  // TODO: one\n  //   two\n  const a = 1; // not guidance\n  // an ordinary comment\n  void a;\n}\n`;
    expect(todoCommentLines(source)).toBe(2);
    expect(voidStatements(source)).toBe(1);
  });
});
