/**
 * Child processes for the benchmark: one-shot commands measured for wall time and peak memory, and servers started
 * and stopped around a load test. Every child is tracked so that a failure or Ctrl-C never leaves one running.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { foreignCpuShare, ownCpuSeconds, systemBusySeconds, waitForQuietMachine } from './cpu-accounting.ts';

/** The repository root, where `bin/` lives; children run there. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const USAGE_PRELOAD = join(REPO_ROOT, 'bench', 'report-usage.js');
/** How much of a failed child's stderr to quote in the error, in characters. */
const STDERR_TAIL_CHARS = 2_000;
/** How long a server gets to answer its first request, in milliseconds. */
const SERVER_START_TIMEOUT_MS = 30_000;
const SERVER_POLL_INTERVAL_MS = 100;
/** How long a server gets to exit after SIGTERM before it is killed, in milliseconds. */
const SERVER_STOP_TIMEOUT_MS = 5_000;

const liveChildren = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL): for the exit path and Ctrl-C. */
export function killAllChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}

function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

export interface MeasuredRun {
  wallSeconds: number;
  /** CPU time the child used, user + system, all threads. */
  cpuSeconds: number;
  /** Peak resident set size of the child, in bytes, as reported by the kernel at exit. */
  peakRssBytes: number;
  /** Share of the machine's CPU used by processes other than ours meanwhile (0-1); null when unknown. */
  foreignCpuShare: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node [--import report-usage.js] ...args` to completion and measures it. Throws, quoting stderr, when it exits
 * non-zero. `usageFile` is a scratch path for the preload to write peak RSS and CPU time to.
 */
export async function runMeasured(args: string[], env: NodeJS.ProcessEnv, usageFile: string): Promise<MeasuredRun> {
  rmSync(usageFile, { force: true });
  flushFileSystem();
  await waitForQuietMachine();
  const busyBefore = systemBusySeconds();
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  const child = track(
    spawn(process.execPath, ['--import', USAGE_PRELOAD, ...args], {
      cwd: REPO_ROOT,
      env: { ...env, PAPERBOY_BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (text: string) => stdout.push(text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => stderr.push(text));
  const { code, signal } = await exited(child);
  const wallSeconds = (performance.now() - started) / 1000;
  const busyAfter = systemBusySeconds();
  const ownSeconds = ownCpuSeconds() - ownBefore;
  const errorText = stderr.join('');
  if (code !== 0) {
    throw new Error(
      `'node ${args.join(' ')}' failed (${signal ?? `exit ${code}`}):\n${errorText.slice(-STDERR_TAIL_CHARS)}`,
    );
  }
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { peakRssBytes: number; cpuSeconds: number };
  const busyDelta = busyBefore === null || busyAfter === null ? null : busyAfter - busyBefore;
  return {
    wallSeconds,
    cpuSeconds: usage.cpuSeconds,
    peakRssBytes: usage.peakRssBytes,
    foreignCpuShare: foreignCpuShare(busyDelta, usage.cpuSeconds + ownSeconds, wallSeconds),
    stdout: stdout.join(''),
    stderr: errorText,
  };
}

/**
 * Writes dirty pages out before a measurement, so that one run does not pay (in its fsyncs) for the writeback of the
 * previous run's 200 MB database. Best effort: where `sync` is missing, runs are just noisier.
 */
function flushFileSystem(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  baseUrl: string;
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited in time. */
  stop(): Promise<void>;
}

/**
 * Starts `node ...args` as a server and waits until `readyPath` answers 200. The child's output goes to this
 * process's stderr only when it fails to start; a server that exits early fails the start with its stderr.
 */
export async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  readyPath: string,
): Promise<RunningServer> {
  const child = track(spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }));
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (text: string) => stderr.push(text));
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exitCode !== undefined) return;
    const done = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(
        `'node ${args.join(' ')}' exited (${exitCode}) before serving:\n${stderr.join('').slice(-STDERR_TAIL_CHARS)}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}${readyPath}`);
      await response.arrayBuffer();
      if (response.status === 200) return { baseUrl, pid: child.pid!, stop };
    } catch {
      // Not listening yet.
    }
    await sleep(SERVER_POLL_INTERVAL_MS);
  }
  await stop();
  throw new Error(`'node ${args.join(' ')}' did not answer ${readyPath} within ${SERVER_START_TIMEOUT_MS} ms`);
}

/** Starts `node ...args` on a free port, runs `body`, and always stops the server. */
export async function withServer<T>(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyPath: string,
  body: (server: RunningServer) => Promise<T>,
): Promise<T> {
  const port = await findFreePort();
  const server = await startServer(
    args,
    { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    port,
    readyPath,
  );
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}
