/** `paperboy ingest daily`: placeholder until the daily announcement ingest lands (issue 6). */
import type { Command } from 'commander';

export function registerIngestDailyCommand(_ingest: Command): void {}
