/** `paperboy ingest oai`: placeholder until the OAI-PMH harvest lands (issue 6). */
import type { Command } from 'commander';

export function registerIngestOaiCommand(_ingest: Command): void {}
