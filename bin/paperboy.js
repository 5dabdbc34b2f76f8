#!/usr/bin/env node
// The one Paperboy binary: runs the TypeScript sources through tsx's loader, so `npx paperboy` works right after
// `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
