/**
 * Progress for long CLI work (a 4.5 GB snapshot import, an OAI harvest, re-embedding every paper, sending digests):
 * a bar with the count, the rate and the ETA. Only on a terminal: when the stream is a pipe or a file, nothing but
 * the messages is written, so logs and scripts see clean lines. One display serves every command; each says how its
 * progress maps onto the bar.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { ImportProgress } from './import-stream.ts';

/** How often the bar is redrawn, in milliseconds. */
const REDRAW_INTERVAL_MS = 200;
const BYTES_PER_MIB = 1024 * 1024;
const MS_PER_SECOND = 1000;

/** A progress display for progress reports of type P. */
export interface ProgressDisplay<P = ImportProgress> {
  update(progress: P): void;
  /** Prints a message line without breaking the bar. */
  log(line: string): void;
  stop(): void;
}

/** Where a progress report puts the bar: its value and total, and the fields the format names. */
export interface BarPosition {
  value: number;
  total: number;
  payload: Record<string, string | number>;
}

export interface BarOptions<P> {
  /** cli-progress's format: {bar}, {percentage}, {value}, {total}, {eta_formatted} and the payload's fields. */
  format: string;
  /** Updates the ETA is averaged over. */
  etaBuffer: number;
  /** The bar's position for a report, given the seconds since the display started (for rates). */
  position(progress: P, elapsedSeconds: number): BarPosition;
}

/** A bar on `stream` when it is a terminal; otherwise a display that only prints messages. */
export function createBarDisplay<P>(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  options: BarOptions<P>,
): ProgressDisplay<P> {
  if (!stream.isTTY) {
    return {
      update() {},
      log(line) {
        stream.write(`${line}\n`);
      },
      stop() {},
    };
  }
  const multibar = new MultiBar({
    stream,
    format: options.format,
    fps: MS_PER_SECOND / REDRAW_INTERVAL_MS,
    clearOnComplete: true,
    hideCursor: true,
    etaBuffer: options.etaBuffer,
    barsize: 30,
  });
  const startedAt = performance.now();
  let bar: SingleBar | null = null;
  return {
    update(progress) {
      const { value, total, payload } = options.position(progress, (performance.now() - startedAt) / MS_PER_SECOND);
      bar ??= multibar.create(total, 0, payload);
      bar.setTotal(total);
      bar.update(value, payload);
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

/** Records per second over `seconds`, rounded (0 before any time has passed). */
export function perSecond(count: number, seconds: number): number {
  return seconds > 0 ? Math.round(count / seconds) : 0;
}

/** The import's display: records, rate and, for a file of known size, the ETA by bytes read. */
export function createProgressDisplay(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  name: string,
  sizeBytes: number | null,
): ProgressDisplay {
  const withTotal = sizeBytes !== null && sizeBytes > 0;
  return createBarDisplay<ImportProgress>(stream, {
    format: withTotal
      ? `${name} [{bar}] {percentage}% | {records} records | {rate} records/s | ETA {eta_formatted}`
      : `${name} {records} records | {rate} records/s | {mib} MiB read`,
    etaBuffer: 50,
    position: ({ bytesRead, records }, seconds) => ({
      value: withTotal ? Math.min(bytesRead, sizeBytes) : 0,
      total: withTotal ? sizeBytes : 1,
      payload: { records, rate: perSecond(records, seconds), mib: (bytesRead / BYTES_PER_MIB).toFixed(1) },
    }),
  });
}
