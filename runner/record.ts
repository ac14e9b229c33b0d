/**
 * A vitest reporter that `npm test` adds beside vitest's own (package.json): it records the outcome of
 * every exercise whose tests all ran in `.kata/states.json`, as the runner does after its own runs, so
 * that `npm start` and its list know what `npm test -- exercises/04` found, without running it again.
 *
 * A run of some tests only (`-t name`, one test file of several) says nothing about the exercise, and
 * records nothing; nor does an interrupted run. It never fails a run: a problem here is only a cache miss.
 */
import type { Reporter, TestModule, TestRunEndReason, TestSpecification, Vitest } from 'vitest/node';
import { findExercises, type Exercise } from './exercises.ts';
import { hashExercise, outcomesOf, remember } from './states.ts';

export default class RecordStates implements Reporter {
  private vitest: Vitest | undefined;
  /** The exercises whose every test file is in the run, with their hashes taken before it started. */
  private running = new Map<Exercise, string>();

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.running.clear();
    try {
      const config = this.vitest?.config;
      if (!config || config.testNamePattern) return;
      const files = new Set(specifications.filter((s) => s.project.name === 'exercises').map((s) => s.moduleId));
      for (const exercise of findExercises(config.root)) {
        if (exercise.tests.length && exercise.tests.every((test) => files.has(test))) this.running.set(exercise, hashExercise(config.root, exercise));
      }
    } catch {
      this.running.clear();
    }
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason): void {
    const root = this.vitest?.config.root;
    if (!root || reason === 'interrupted' || !this.running.size) return;
    try {
      const exercises = [...this.running.keys()];
      const outcomes = outcomesOf(root, exercises, modules.filter((m) => m.project.name === 'exercises'));
      remember(root, outcomes, new Map(exercises.map((e) => [e.name, this.running.get(e)!])));
    } catch {
      // a cache that is not written is a cache miss: the runner runs the tests itself
    }
  }
}
