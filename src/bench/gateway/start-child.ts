import { type ChildProcess, spawn } from 'node:child_process';

export interface StartChildOptions {
  /** Shown in errors, e.g. `rightsize`. */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Looks at each line the child prints (stdout and stderr); returns a value once it is ready. */
  ready: (line: string) => string | undefined;
  /** Longest wait for `ready`, in ms. @default 60000 */
  timeoutMs?: number;
}

export interface RunningChild {
  pid: number;
  /** What `ready` returned (e.g. the URL the child listens on). */
  readyValue: string;
  /** Everything the child printed so far (the last 64 kB). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Starts a process and waits until a line it prints says it is ready.
 * @throws Error naming the child, with the tail of its output, when it exits or times out first.
 */
export function startChild(options: StartChildOptions): Promise<RunningChild> {
  const child: ChildProcess = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let pending = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  return new Promise<RunningChild>((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${options.name}: ${message}\n${tail(output)}`));
    };
    const timer = setTimeout(
      () => fail(`not ready after ${options.timeoutMs ?? 60_000} ms`),
      options.timeoutMs ?? 60_000,
    );
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-OUTPUT_LIMIT);
      if (settled) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const value = options.ready(stripAnsi(line));
        if (value === undefined) continue;
        settled = true;
        clearTimeout(timer);
        resolve({
          pid: child.pid as number,
          readyValue: value,
          output: () => output,
          async stop(graceMs = 10_000) {
            if (exited) return;
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await exit;
            clearTimeout(killer);
          },
        });
        return;
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
  });
}

function tail(text: string): string {
  const lines = text.trim().split('\n');
  return lines
    .slice(-12)
    .map((line) => `  | ${stripAnsi(line)}`)
    .join('\n');
}

// Terminal colour codes (ESC [ ... letter), which some servers print in their banner.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
