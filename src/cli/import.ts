/** `paperboy import FILE...`: placeholder until the import pipeline lands. */
import type { Command } from 'commander';

export function registerImportCommand(_program: Command): void {}
