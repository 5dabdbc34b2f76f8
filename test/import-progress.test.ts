/**
 * The progress display: a bar with count, rate and ETA on a terminal; nothing but the messages elsewhere.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from '../src/ingest/progress.ts';

/** Longer than the display's redraw interval. */
const REDRAW_WAIT_MS = 300;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class CapturingStream extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  columns = 120;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe('createProgressDisplay', () => {
  it('prints only the messages when the stream is not a terminal', () => {
    const stream = new CapturingStream(false);
    const display = createProgressDisplay(stream, 'big.jsonl', 1000);
    display.update({ bytesRead: 500, records: 10 });
    display.log('big.jsonl: line 3: skipped: broken JSON');
    display.stop();
    expect(stream.text).toBe('big.jsonl: line 3: skipped: broken JSON\n');
  });

  it('draws a bar with records, rate and ETA on a terminal', async () => {
    const stream = new CapturingStream(true);
    const display = createProgressDisplay(stream, 'big.jsonl', 1000);
    await pause(20);
    display.update({ bytesRead: 500, records: 1234 });
    display.log('big.jsonl: line 3: skipped: broken JSON');
    await pause(REDRAW_WAIT_MS);
    display.stop();
    expect(stream.text).toContain('big.jsonl [');
    expect(stream.text).toContain('50% | 1234 records |');
    expect(stream.text).toMatch(/\d+ records\/s \| ETA /);
    expect(stream.text).toContain('big.jsonl: line 3: skipped: broken JSON\n');
  });

  it('shows the amount read instead of an ETA when the size is unknown (standard input)', async () => {
    const stream = new CapturingStream(true);
    const display = createProgressDisplay(stream, 'stdin', null);
    display.update({ bytesRead: 3 * 1024 * 1024, records: 42 });
    await pause(REDRAW_WAIT_MS);
    display.stop();
    expect(stream.text).toContain('stdin 42 records |');
    expect(stream.text).toContain('3.0 MiB read');
    expect(stream.text).not.toContain('ETA');
  });
});
