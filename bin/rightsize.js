#!/usr/bin/env node
// Entry point of `npx rightsize`: registers the TypeScript loader, then runs the CLI from source.
// See docs/decisions/0001-run-typescript-with-tsx.md.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
