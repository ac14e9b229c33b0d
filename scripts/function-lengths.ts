/**
 * No function outside the tests is longer than MAX_LINES (`npm run verify` checks it; run this file
 * alone for the longest ones: `npx tsx scripts/function-lengths.ts [--top N]`).
 *
 * Every function of every `.ts` file of the project (tsconfig.json's files: not node_modules, not the
 * scratch copies), but the tests (`*.test.ts`): declarations, methods, constructors, accessors, arrow
 * functions and function expressions. A function's length is its lines from the first (its signature,
 * not its doc comment) to the last (its closing brace), nested functions' lines included: what a reader
 * reads to read it. Parsed with TypeScript's own compiler (its API, `typescript/unstable/sync`).
 */
import { relative } from 'node:path';
import { SyntaxKind, type Node, type SourceFile } from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';
import { commandLine, count, isMain, ROOT } from '../fixtures/command-line.ts';

export const MAX_LINES = 60;

/**
 * Functions of exercises/ and solutions/ over MAX_LINES, let through for now: the curriculum's code
 * is the lead's to split, and this list only shrinks. An entry that is no longer over (or was renamed)
 * is a failure too, so that the list stays exactly the functions still over.
 */
const ALLOWED = new Set<string>([
  // None today.
]);

export interface FunctionLength {
  /** From the project's root. */
  file: string;
  /** 1-based. */
  line: number;
  name: string;
  lines: number;
}

const FUNCTIONS = new Set([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.Constructor,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
  SyntaxKind.ArrowFunction,
  SyntaxKind.FunctionExpression,
]);

/** `ALLOWED`'s key of a function. */
export function keyOf(f: FunctionLength): string {
  return `${f.file} ${f.name}`;
}

/** Every function of the project's files outside the tests, the longest first. */
export function functionLengths(root = ROOT): FunctionLength[] {
  const api = new API({ cwd: root });
  try {
    const project = api.updateSnapshot({ openProject: 'tsconfig.json' }).getProjects()[0]!;
    const files = project.program.getSourceFileNames().filter((file) => !/node_modules|\.test\.ts$|\.d\.ts$/.test(file));
    const found = files.flatMap((file) => functionsOf(project.program.getSourceFile(file)!, relative(root, file)));
    return found.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
  } finally {
    api.close();
  }
}

function functionsOf(source: SourceFile, file: string): FunctionLength[] {
  const found: FunctionLength[] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: Node): undefined => {
    if (FUNCTIONS.has(node.kind)) {
      const line = lineOf(node.getStart(source));
      found.push({ file, line, name: nameOf(node), lines: lineOf(node.end) - line + 1 });
    }
    node.forEachChild(visit);
  };
  source.forEachChild(visit);
  return found;
}

/** `f`, `Class.method`, `Class.constructor`, `f › (arrow)` for a function without a name of its own. */
function nameOf(node: Node): string {
  const own = ownName(node);
  const owner = enclosingName(node.parent);
  if (own === undefined) return owner ? `${owner} › (${node.kind === SyntaxKind.ArrowFunction ? 'arrow' : 'function'})` : `(top level ${node.kind === SyntaxKind.ArrowFunction ? 'arrow' : 'function'})`;
  const inClass = node.parent.kind === SyntaxKind.ClassDeclaration || node.parent.kind === SyntaxKind.ClassExpression;
  return inClass ? `${className(node.parent)}.${own}` : owner ? `${owner} › ${own}` : own;
}

/** The name a function is known by: its own, or the variable's or property's it is assigned to. */
function ownName(node: Node): string | undefined {
  if (node.kind === SyntaxKind.Constructor) return 'constructor';
  const named = node as Node & { name?: Node };
  if (named.name) return named.name.getText();
  const holder = node.parent as Node & { name?: Node };
  const holds = [SyntaxKind.VariableDeclaration, SyntaxKind.PropertyAssignment, SyntaxKind.PropertyDeclaration].includes(holder.kind);
  return holds && holder.name ? holder.name.getText() : undefined;
}

function className(node: Node): string {
  return (node as Node & { name?: Node }).name?.getText() ?? '(class)';
}

/** The name of the function (or class) around `node`, if any. */
function enclosingName(node: Node | undefined): string | undefined {
  for (let at = node; at && at.kind !== SyntaxKind.SourceFile; at = at.parent) {
    if (FUNCTIONS.has(at.kind)) return nameOf(at);
    if (at.kind === SyntaxKind.ClassDeclaration) return className(at);
  }
  return undefined;
}

export interface LengthCheck {
  /** Over MAX_LINES, and not allowed. */
  over: FunctionLength[];
  /** Over MAX_LINES, let through by ALLOWED. */
  allowed: FunctionLength[];
  /** ALLOWED's entries that are over no more. */
  stale: string[];
  /** The longest not allowed. */
  longest: FunctionLength | undefined;
}

export function checkFunctionLengths(lengths = functionLengths()): LengthCheck {
  const long = lengths.filter((f) => f.lines > MAX_LINES);
  const allowed = long.filter((f) => ALLOWED.has(keyOf(f)));
  const stale = [...ALLOWED].filter((key) => !allowed.some((f) => keyOf(f) === key));
  return { over: long.filter((f) => !ALLOWED.has(keyOf(f))), allowed, stale, longest: lengths.find((f) => !ALLOWED.has(keyOf(f))) };
}

/** `  71 lines  failureLines  runner/screen.ts:167` */
export function formatLength(f: FunctionLength): string {
  return `${String(f.lines).padStart(4)} lines  ${f.name}  ${f.file}:${f.line}`;
}

if (isMain(import.meta.url)) {
  const { top } = commandLine({ top: count(10, 1) }).values;
  const lengths = functionLengths();
  console.log(`the ${top} longest functions outside the tests (lines, first to last, nested functions included):`);
  for (const f of lengths.slice(0, top)) console.log(formatLength(f));
  const { over, allowed, stale } = checkFunctionLengths(lengths);
  for (const f of allowed) console.log(` - allowed for now: ${formatLength(f)}`);
  for (const f of over) console.log(` ✗ over ${MAX_LINES} lines: ${formatLength(f)}`);
  for (const key of stale) console.log(` ✗ ${key} is allowed, but is no longer over ${MAX_LINES} lines: take it off ALLOWED`);
  process.exit(over.length || stale.length ? 1 : 0);
}
