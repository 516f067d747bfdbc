import type { Command } from 'commander';

/**
 * Subcommands of `rightsize bench` (gateway, specialist, routing). Each module exports one
 * `registerBench<Name>Command(bench)`; add it here with one import line.
 */
export const benchCommands: ReadonlyArray<(bench: Command) => void> = [];
