import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a TypeScript module. Registers tsx's loader in the worker first, as
 * bin/rightsize.js does for the main thread (`execArgv: ['--import', 'tsx']` does not reach
 * worker threads on Node 20).
 * @param moduleUrl the worker module, e.g. `new URL('./train-worker.ts', import.meta.url)`.
 */
export function startTypeScriptWorker(moduleUrl: URL, workerData: unknown): Worker {
  const tsxApi = resolveTsxApi();
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The ESM entry of tsx's loader API, resolved from here so that any working directory works. */
function resolveTsxApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return 'tsx/esm/api';
  }
}
