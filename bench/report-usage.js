// Preload for benchmark child processes (`node --import ./bench/report-usage.js ...`): at exit, writes the process's
// peak resident set size (bytes) and the CPU time it used (seconds, user + system, all threads) as JSON to the file
// named by PAPERBOY_BENCH_USAGE_FILE. Plain JavaScript so that it loads before any TypeScript loader is registered.
import { writeFileSync } from 'node:fs';

const target = process.env.PAPERBOY_BENCH_USAGE_FILE;
/** process.resourceUsage().maxRSS is in kilobytes. */
const BYTES_PER_KILOBYTE = 1024;
/** CPU times are in microseconds. */
const MICROSECONDS_PER_SECOND = 1e6;

if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const report = {
      peakRssBytes: usage.maxRSS * BYTES_PER_KILOBYTE,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / MICROSECONDS_PER_SECOND,
    };
    writeFileSync(target, JSON.stringify(report));
  });
}
