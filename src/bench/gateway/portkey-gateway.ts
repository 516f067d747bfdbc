import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type RunningChild, startChild } from './start-child.ts';

const run = promisify(execFile);

/** The npm package of Portkey's open-source gateway. */
export const PORTKEY_PACKAGE = '@portkey-ai/gateway';

/** Portkey installed in a folder: its version and the file its `bin` runs. */
export interface PortkeyInstall {
  version: string;
  entry: string;
}

/**
 * Installs Portkey's gateway with npm into `folder` (a temporary folder: nothing lands in the
 * project). Takes a few seconds with a warm npm cache.
 * @throws Error with npm's message when the install fails (offline, registry down).
 */
export async function installPortkey(folder: string, spec = PORTKEY_PACKAGE): Promise<PortkeyInstall> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    await run(npm, ['install', '--prefix', folder, '--no-audit', '--no-fund', '--loglevel=error', spec], {
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`npm install ${spec} failed: ${stderr || (error as Error).message}`);
  }
  const root = join(folder, 'node_modules', ...PORTKEY_PACKAGE.split('/'));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  if (!bin) throw new Error(`${PORTKEY_PACKAGE}@${manifest.version} has no bin entry to start it with`);
  return { version: manifest.version, entry: join(root, bin) };
}

/**
 * Preloaded into Portkey's process: its server takes a port but no host and would listen on every
 * interface; this makes a listen without a host bind 127.0.0.1, so the bench stays on loopback.
 */
const BIND_LOOPBACK_PRELOAD = `const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\\d+$/.test(args[0]))) {
    if (args[1] === undefined || args[1] === null) args[1] = '127.0.0.1';
    else if (typeof args[1] === 'function') args.splice(1, 0, '127.0.0.1');
  } else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host && !args[0].path) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
`;

/**
 * Starts Portkey's gateway on 127.0.0.1:`port` (`folder` is the temporary install folder, where the
 * loopback preload is written). `--headless` skips its web console. Ready when it prints its banner.
 */
export function startPortkey(install: PortkeyInstall, folder: string, port: number): Promise<RunningChild> {
  const preload = join(folder, 'bind-loopback.cjs');
  writeFileSync(preload, BIND_LOOPBACK_PRELOAD);
  return startChild({
    name: 'portkey',
    command: process.execPath,
    args: ['--require', preload, install.entry, `--port=${port}`, '--headless'],
    env: { ...process.env, NODE_ENV: 'production' },
    ready: (line) => (/running at|Ready for connections/i.test(line) ? `http://127.0.0.1:${port}` : undefined),
    timeoutMs: 60_000,
  });
}

/**
 * Headers that make Portkey's gateway forward a chat completion to an OpenAI-compatible server:
 * provider `openai` with a custom host (Portkey trusts 127.0.0.1 as a custom host by default;
 * see `TRUSTED_CUSTOM_HOSTS` in its source). The key is a placeholder the upstream ignores.
 */
export function portkeyHeaders(upstreamBaseUrl: string): Record<string, string> {
  return {
    'x-portkey-provider': 'openai',
    'x-portkey-custom-host': upstreamBaseUrl,
    authorization: 'Bearer sk-bench-placeholder',
  };
}
