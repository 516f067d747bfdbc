import type { Command } from 'commander';
import { registerAnalyzeCommand } from './analyze.ts';
import { registerBenchCommand } from './bench.ts';
import { registerCalibrateCommand } from './calibrate.ts';
import { registerDemoCommand } from './demo.ts';
import { registerDistillCommand } from './distill.ts';
import { registerEvalCommand } from './eval.ts';
import { registerPromoteCommand } from './promote.ts';
import { registerReplayCommand } from './replay.ts';
import { registerReviewCommand } from './review.ts';
import { registerRouterCommand } from './router.ts';
import { registerSelectCommand } from './select.ts';
import { registerServeCommand } from './serve.ts';
import { registerTrainCommand } from './train.ts';

/**
 * Every CLI command, in the order `--help` lists them. A command module exports one
 * `register<Name>Command(program)` function; add it here with one import line.
 */
export const commands: ReadonlyArray<(program: Command) => void> = [
  registerServeCommand,
  registerBenchCommand,
  registerSelectCommand,
  registerRouterCommand,
  registerTrainCommand,
  registerEvalCommand,
  registerCalibrateCommand,
  registerReplayCommand,
  registerReviewCommand,
  registerDemoCommand,
  registerAnalyzeCommand,
  registerDistillCommand,
  registerPromoteCommand,
];
