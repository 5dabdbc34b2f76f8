/**
 * CPU accounting, to tell whether a measurement had the machine to itself. On a shared 2-core machine another
 * process's test run can halve a figure; comparing the whole machine's busy time with our own processes' CPU time
 * over a measurement shows how much went to others. Linux only (/proc); elsewhere the figures are null.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The kernel reports /proc times in clock ticks of 1/100 s (USER_HZ) on every Linux we run on. */
const TICKS_PER_SECOND = 100;
/** Fields of /proc/PID/stat (1-based, after the command name) holding user and system ticks. */
const UTIME_FIELD = 14;
const STIME_FIELD = 15;

/** Seconds all CPUs together have spent busy (not idle, not waiting for I/O) since boot; null without /proc. */
export function systemBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) a running process has used; null when it cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: count fields from after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const offset = 3; // fields[0] is field 3 (state)
    return (Number(fields[UTIME_FIELD - offset]) + Number(fields[STIME_FIELD - offset])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** This process's CPU seconds (user + system). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * The share of the machine's CPU capacity (all cores) that processes other than ours used between two readings,
 * from 0 to 1; null without /proc.
 */
export function foreignCpuShare(
  systemBusyDelta: number | null,
  ourCpuSeconds: number,
  wallSeconds: number,
): number | null {
  if (systemBusyDelta === null || wallSeconds <= 0) return null;
  const foreign = Math.max(0, systemBusyDelta - ourCpuSeconds);
  return Math.min(1, foreign / (wallSeconds * cpus().length));
}

/** Measures, while we do nothing, the share of the machine's CPU that other processes use (0-1); null without /proc. */
export async function backgroundCpuShare(durationMs: number): Promise<number | null> {
  const before = systemBusySeconds();
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const after = systemBusySeconds();
  if (before === null || after === null) return null;
  return foreignCpuShare(after - before, ownCpuSeconds() - ownBefore, (performance.now() - started) / 1000);
}

/** Other processes' CPU share under which the machine counts as quiet. */
export const QUIET_CPU_SHARE = 0.05;
/** Length of one quietness check, in milliseconds. */
const QUIET_SAMPLE_MS = 1_000;
/** Longest the whole run waits for quiet, in seconds, summed over all measurements (then it goes on regardless). */
const QUIET_WAIT_BUDGET_SECONDS = 180;
let quietWaitSpentSeconds = 0;

/**
 * Waits until other processes leave the CPU alone (a 1 s sample under QUIET_CPU_SHARE) before a measurement, within a
 * budget for the whole run; on a shared machine this keeps another team's test run out of most figures. Reports
 * waiting on stderr. Returns at once without /proc.
 */
export async function waitForQuietMachine(): Promise<void> {
  let announced = false;
  while (quietWaitSpentSeconds < QUIET_WAIT_BUDGET_SECONDS) {
    const started = performance.now();
    const share = await backgroundCpuShare(QUIET_SAMPLE_MS);
    if (share === null || share < QUIET_CPU_SHARE) return;
    quietWaitSpentSeconds += (performance.now() - started) / 1000;
    if (!announced) {
      process.stderr.write(`  waiting for other processes to leave the CPU (they use ${(share * 100).toFixed(0)}%)\n`);
      announced = true;
    }
  }
}
