/**
 * One HTTP load test with autocannon (programmatic API, in this process): a warm-up that is thrown away, then a
 * measured run at a fixed number of connections for a fixed time. Latencies are recorded here from each response,
 * in fractional milliseconds, because autocannon's own histogram only resolves whole milliseconds, and responses
 * from a local server mostly take less than one.
 */
import autocannon from 'autocannon';
import {
  foreignCpuShare,
  ownCpuSeconds,
  processCpuSeconds,
  systemBusySeconds,
  waitForQuietMachine,
} from './cpu-accounting.ts';

export interface LoadOptions {
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
}

export interface LoadResult {
  url: string;
  requests: number;
  requestsPerSecond: number;
  /** The server process's CPU time per response, in microseconds (null without /proc). */
  serverCpuMicrosPerRequest: number | null;
  /** Share of the machine's CPU used by processes other than the server and this one (0-1), null when unknown. */
  foreignCpuShare: number | null;
  p50Ms: number;
  p99Ms: number;
  /** Mean response size (headers and body), in bytes. */
  bytesPerResponse: number;
}

/** Enough room for a 10 s run at 100k requests/s; grows if needed. */
const INITIAL_LATENCY_SLOTS = 1_000_000;

/**
 * Loads `url` (served by process `serverPid`), then throws unless every response was a 2xx with no connection errors
 * or timeouts.
 */
export async function measureLoad(url: string, options: LoadOptions, serverPid: number): Promise<LoadResult> {
  await waitForQuietMachine();
  await runAutocannon(url, options.warmupSeconds, options.connections, null);
  const latencies = new LatencyRecorder();
  const busyBefore = systemBusySeconds();
  const ownBefore = ownCpuSeconds();
  const serverBefore = processCpuSeconds(serverPid);
  const result = await runAutocannon(url, options.durationSeconds, options.connections, latencies);
  const serverAfter = processCpuSeconds(serverPid);
  const ownSeconds = ownCpuSeconds() - ownBefore;
  const busyAfter = systemBusySeconds();
  const serverSeconds = serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore;
  const busyDelta = busyBefore === null || busyAfter === null ? null : busyAfter - busyBefore;
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0 || result.requests.total === 0) {
    throw new Error(
      `load test of ${url} had failures: ${result.non2xx} non-2xx responses (status counts ${JSON.stringify(result.statusCodeStats ?? {})}), ${result.errors} errors, ${result.timeouts} timeouts, ${result.requests.total} requests`,
    );
  }
  return {
    url,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    serverCpuMicrosPerRequest: serverSeconds === null ? null : (serverSeconds * 1e6) / result.requests.total,
    foreignCpuShare:
      serverSeconds === null ? null : foreignCpuShare(busyDelta, serverSeconds + ownSeconds, result.duration),
    p50Ms: latencies.percentile(50),
    p99Ms: latencies.percentile(99),
    bytesPerResponse: result.throughput.total / result.requests.total,
  };
}

function runAutocannon(
  url: string,
  durationSeconds: number,
  connections: number,
  latencies: LatencyRecorder | null,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: durationSeconds }, (error, result) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(result);
    });
    if (latencies) instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.add(responseTimeMs));
  });
}

/** Every response time of a run, for exact percentiles. */
class LatencyRecorder {
  private values = new Float64Array(INITIAL_LATENCY_SLOTS);
  private count = 0;

  add(milliseconds: number): void {
    if (this.count === this.values.length) {
      const larger = new Float64Array(this.values.length * 2);
      larger.set(this.values);
      this.values = larger;
    }
    this.values[this.count] = milliseconds;
    this.count += 1;
  }

  /** The nearest-rank percentile, in milliseconds. */
  percentile(percent: number): number {
    if (this.count === 0) return Number.NaN;
    const sorted = this.values.subarray(0, this.count).sort();
    const rank = Math.min(this.count - 1, Math.max(0, Math.ceil((percent / 100) * this.count) - 1));
    return sorted[rank]!;
  }
}
