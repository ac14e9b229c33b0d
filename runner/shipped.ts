/**
 * The exercises as the pack shipped them: what `npm run reset` puts back, and how the runner knows,
 * without running anything, that an exercise is still its untouched skeleton (which fails every test:
 * `npm run verify` makes sure of it).
 *
 * A copy of each exercise folder is kept in `.kata/shipped/NN-topic/`, with where it came from in
 * `.kata/shipped.json`. It is made by `npm install` (a `postinstall` script), or else by the first
 * command of the runner, and taken:
 *
 * 1. in a git clone, from the newest commit that touched the folder and is not the learner's (neither
 *    its author nor its committer is the identity git commits with here): a learner who commits their
 *    work and then resets gets the skeleton, not their commit; a `git pull` of a newer pack brings a
 *    newer skeleton, which replaces the copy;
 * 2. with no such commit (a copy without git, or a history where every commit is the learner's), the
 *    copy made earlier stays as it is; the first one is taken from git's HEAD if there is one, else from
 *    the files as they are when it is made (before the learner could change them, when `npm install`
 *    makes it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Exercise } from './exercises.ts';
import { kataFile, readKataJson, writeKataFile } from './states.ts';

/** Where an exercise's shipped copy came from. */
export interface ShippedEntry {
  /** `git 1a2b3c4`, `git HEAD`, `npm install` or `the first run`, for the learner to read. */
  from: string;
  /** The commit it was taken from, when it came from git. */
  commit?: string;
  /** Certainly the skeleton as shipped (taken from the pack's commit, or by `npm install`). */
  trusted: boolean;
}

type Meta = Record<string, ShippedEntry>;


/** The folder that holds the shipped copy of an exercise. */
export function shippedDir(root: string, exercise: Exercise | string): string {
  return join(kataFile(root, 'shipped'), typeof exercise === 'string' ? exercise : exercise.name);
}

function readMeta(root: string): Meta {
  return readKataJson<Meta>(root, 'shipped.json');
}

function git(root: string, args: string[], input?: string): Buffer | undefined {
  const result = spawnSync('git', args, { cwd: root, input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'ignore'] });
  return result.status === 0 ? result.stdout : undefined;
}

/** The e-mail addresses git would commit with here: the learner's. */
function myEmails(root: string): Set<string> {
  const emails = new Set<string>();
  for (const ident of ['GIT_AUTHOR_IDENT', 'GIT_COMMITTER_IDENT']) {
    const email = /<([^>]*)>/.exec(git(root, ['var', ident])?.toString() ?? '')?.[1];
    if (email) emails.add(email.toLowerCase());
  }
  return emails;
}

/**
 * For each exercise folder, the newest commit of HEAD's history that touched it and is not the
 * learner's; undefined outside a git clone.
 */
export function packCommits(root: string): Map<string, string> | undefined {
  if (!git(root, ['rev-parse', '--verify', '-q', 'HEAD'])) return undefined;
  const mine = myEmails(root);
  const log = git(root, ['log', '--format=%x01%H %ae %ce', '--name-only', '--relative', 'HEAD', '--', 'exercises'])?.toString() ?? '';
  const commits = new Map<string, string>();
  for (const entry of log.split('\x01').slice(1)) {
    const [header = '', ...names] = entry.split('\n');
    const [commit, author, committer] = header.split(' ');
    if (!commit || mine.has(author!.toLowerCase()) || mine.has(committer!.toLowerCase())) continue;
    for (const name of names) {
      const folder = /^exercises\/([^/]+)\//.exec(name)?.[1];
      if (folder && !commits.has(folder)) commits.set(folder, commit);
    }
  }
  return commits;
}

/** The files of `folder` (relative to the pack's root) at `commit`, by their path inside the folder. */
function filesAt(root: string, commit: string, folder: string): Map<string, Buffer> {
  const names = (git(root, ['ls-tree', '-r', '-z', '--name-only', commit, '--', `${folder}/`])?.toString() ?? '').split('\0').filter(Boolean);
  const files = new Map<string, Buffer>();
  if (!names.length) return files;
  const out = git(root, ['cat-file', '--batch'], names.map((name) => `${commit}:./${name}\n`).join(''));
  if (!out) return files;
  let at = 0;
  for (const name of names) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString();
    const size = Number(/ blob (\d+)$/.exec(header)?.[1]);
    if (!Number.isFinite(size)) throw new Error(`git could not read ${name} at ${commit}: ${header}`);
    files.set(relative(folder, name), out.subarray(eol + 1, eol + 1 + size));
    at = eol + 1 + size + 1;
  }
  return files;
}

/** The files under `dir`, by their path inside it. */
function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(relative(dir, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name)));
  }
  return files;
}

function writeCopy(root: string, exercise: Exercise, files: Map<string, Buffer>): void {
  const into = shippedDir(root, exercise);
  rmSync(into, { recursive: true, force: true });
  for (const [path, content] of files) {
    mkdirSync(dirname(join(into, path)), { recursive: true });
    writeFileSync(join(into, path), content);
  }
}

/**
 * Makes sure every exercise has its shipped copy, up to date with the pack's newest commit of it.
 * `when` says who makes a copy from the files as they are (only `npm install` comes before any edit),
 * or, `never`, that none is made from them (a reset must not take the learner's files for the skeleton).
 */
export function ensureShipped(root: string, exercises: Exercise[], when: 'npm install' | 'the first run' | 'never' = 'the first run'): Meta {
  const meta = readMeta(root);
  const commits = packCommits(root);
  let changed = false;
  for (const exercise of exercises) {
    const folder = `exercises/${exercise.name}`;
    const had = meta[exercise.name] && existsSync(shippedDir(root, exercise)) ? meta[exercise.name] : undefined;
    const commit = commits?.get(exercise.name);
    let files: Map<string, Buffer> | undefined;
    let entry: ShippedEntry | undefined;
    if (commit) {
      if (had?.commit !== commit) [files, entry] = [filesAt(root, commit, folder), { from: `git ${commit.slice(0, 7)}`, commit, trusted: true }];
    } else if (!had && commits) {
      [files, entry] = [filesAt(root, 'HEAD', folder), { from: 'git HEAD', trusted: false }];
    } else if (!had && when !== 'never') {
      [files, entry] = [filesOf(exercise.dir), { from: when, trusted: when === 'npm install' }];
    }
    if (!files?.size || !entry) continue;
    writeCopy(root, exercise, files);
    meta[exercise.name] = entry;
    changed = true;
  }
  if (changed) {
    writeKataFile(root, 'shipped.json', meta);
  }
  return meta;
}

/** The shipped copy's files, by their path inside the folder; empty when there is no copy. */
export function shippedFiles(root: string, exercise: Exercise): string[] {
  const dir = shippedDir(root, exercise);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * The exercise is its skeleton as shipped, byte for byte, and the copy is known to be the skeleton:
 * it fails, and needs no run to say so.
 */
export function isUntouched(root: string, exercise: Exercise): boolean {
  if (!readMeta(root)[exercise.name]?.trusted) return false;
  const files = shippedFiles(root, exercise);
  if (!files.length) return false;
  return files.every((file) => {
    const mine = join(exercise.dir, file);
    return existsSync(mine) && readFileSync(mine).equals(readFileSync(join(shippedDir(root, exercise), file)));
  });
}

/**
 * Makes sure the shipped copies exist (see ensureShipped), and returns the test for an untouched
 * skeleton. Without a copy (no git, a read-only folder) no exercise counts as untouched: it is checked
 * by running its tests, slower but as true.
 */
export function untouchedTest(root: string, exercises: Exercise[]): (exercise: Exercise) => boolean {
  try {
    ensureShipped(root, exercises);
  } catch {
    // no shipped copy: isUntouched says false for every exercise
  }
  return (exercise) => isUntouched(root, exercise);
}

/** Puts the exercise's files back as shipped; files the learner added are left. Returns what it wrote, from the root. */
export function restoreShipped(root: string, exercise: Exercise): { files: string[]; from: string } {
  const meta = ensureShipped(root, [exercise], 'never');
  const files = shippedFiles(root, exercise);
  if (!files.length) {
    throw new Error(
      `Cannot reset exercises/${exercise.name}: this copy of the pack is not a git clone, and no copy of the shipped ` +
        'files was kept in .kata/shipped/ (npm install keeps one), so the shipped files are not at hand.',
    );
  }
  for (const file of files) {
    const target = join(exercise.dir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, readFileSync(join(shippedDir(root, exercise), file)));
  }
  return { files: files.map((file) => relative(root, join(exercise.dir, file))), from: meta[exercise.name]?.from ?? 'the first run' };
}
