import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, 100 on Linux x86 and arm64). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Peak resident set size of a process so far, in bytes: the kernel's high-water mark `VmHWM` of
 * `/proc/<pid>/status`, so no sampling can miss a short peak. Undefined when the process is gone
 * or the system has no `/proc` (macOS, Windows).
 */
export function readPeakRssBytes(pid: number): number | undefined {
  return readStatusKiB(pid, 'VmHWM');
}

/** Resident set size now, in bytes (`VmRSS`); undefined off Linux or when the process is gone. */
export function readRssBytes(pid: number): number | undefined {
  return readStatusKiB(pid, 'VmRSS');
}

/**
 * CPU time the process has used, user plus system over all its threads, in ms (`utime` + `stime`
 * of `/proc/<pid>/stat`, 10 ms resolution). Undefined off Linux or when the process is gone.
 */
export function readCpuMs(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (field 14) and stime (field 15) are at 11 and 12.
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return undefined;
  return ((user + system) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function readStatusKiB(pid: number, key: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}
