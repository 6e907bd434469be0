import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a TypeScript module.
 *
 * Tickwire runs its sources through tsx's loader, and on Node 20 a worker thread does not inherit
 * loader hooks registered in its parent (nor accept `--import` in `execArgv`). So the worker starts
 * from a two-line bootstrap that registers tsx in the new thread and then imports the real module.
 */
export function spawnWorker(moduleUrl: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
