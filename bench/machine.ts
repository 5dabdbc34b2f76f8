/** Facts about the machine and software a benchmark ran on, for the results file. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, release, totalmem } from 'node:os';
import SQLite from 'better-sqlite3';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  nodeVersion: string;
  sqliteVersion: string;
  fastifyVersion: string;
  autocannonVersion: string;
}

const BYTES_PER_GIB = 1024 ** 3;
const require = createRequire(import.meta.url);

export function describeMachine(): MachineFacts {
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: totalmem() / BYTES_PER_GIB,
    kernel: `Linux ${release()}`,
    nodeVersion: process.version,
    sqliteVersion: sqliteVersion(),
    fastifyVersion: packageVersion('fastify'),
    autocannonVersion: packageVersion('autocannon'),
  };
}

/** The model name from /proc/cpuinfo (Linux), else what Node reports. */
function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // Not Linux: fall through.
  }
  return cpus()[0]?.model ?? 'unknown';
}

function sqliteVersion(): string {
  const db = new SQLite(':memory:');
  try {
    return (db.prepare('select sqlite_version() as version').get() as { version: string }).version;
  } finally {
    db.close();
  }
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}
