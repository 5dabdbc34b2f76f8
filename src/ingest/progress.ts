/**
 * Progress for a long import (a 4.5 GB snapshot takes minutes): a bar on stderr with the record count, the rate and,
 * for a file, the ETA by bytes read against the file size. Only on a terminal: when stderr is a pipe or a file,
 * nothing but the messages is written, so logs and scripts see clean lines.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { ImportProgress } from './import-stream.ts';

/** How often the bar is redrawn, in milliseconds. */
const REDRAW_INTERVAL_MS = 200;
const BYTES_PER_MIB = 1024 * 1024;

/** What the import command needs from a progress display. */
export interface ProgressDisplay {
  update(progress: ImportProgress): void;
  /** Prints a message line without breaking the bar. */
  log(line: string): void;
  stop(): void;
}

/** A progress bar on `stream` when it is a terminal; otherwise a display that only prints messages. */
export function createProgressDisplay(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  name: string,
  sizeBytes: number | null,
): ProgressDisplay {
  if (!stream.isTTY) {
    return {
      update() {},
      log(line) {
        stream.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const withTotal = sizeBytes !== null && sizeBytes > 0;
  const format = withTotal
    ? `${name} [{bar}] {percentage}% | {records} records | {rate} records/s | ETA {eta_formatted}`
    : `${name} {records} records | {rate} records/s | {mib} MiB read`;
  const multibar = new MultiBar({
    stream: stream as NodeJS.WritableStream,
    format,
    fps: 1000 / REDRAW_INTERVAL_MS,
    clearOnComplete: true,
    hideCursor: true,
    etaBuffer: 50,
    barsize: 30,
  });
  const startedAt = performance.now();
  const bar: SingleBar = multibar.create(withTotal ? sizeBytes : 1, 0, { records: 0, rate: 0, mib: '0.0' });
  return {
    update({ bytesRead, records }) {
      const seconds = (performance.now() - startedAt) / 1000;
      const payload = {
        records,
        rate: seconds > 0 ? Math.round(records / seconds) : 0,
        mib: (bytesRead / BYTES_PER_MIB).toFixed(1),
      };
      bar.update(withTotal ? Math.min(bytesRead, sizeBytes) : 0, payload);
    },
    log(line) {
      multibar.log(`${line}\n`);
    },
    stop() {
      // cli-progress writes logged lines on its next redraw: draw once more so that the last ones are not lost.
      multibar.update();
      multibar.stop();
    },
  };
}
