import type { Command } from 'commander';
import { registerBenchGatewayCommand } from './bench-gateway.ts';
import { registerBenchRoutingCommand } from './bench-routing.ts';
import { registerBenchSpecialistCommand } from './bench-specialist.ts';

/**
 * Subcommands of `rightsize bench` (gateway, specialist, routing). Each module exports one
 * `registerBench<Name>Command(bench)`; add it here with one import line.
 */
export const benchCommands: ReadonlyArray<(bench: Command) => void> = [
  registerBenchGatewayCommand,
  registerBenchRoutingCommand,
  registerBenchSpecialistCommand,
];
