/**
 * Addresses of the pages' static files. Our stylesheet's address carries a hash of its content and KaTeX's carries
 * its version, so browsers may cache both for long and still never mix an old file with a new page.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KATEX_VERSION } from '../tex.ts';

/** Where KaTeX's stylesheet and fonts (node_modules/katex/dist) are served. */
export const KATEX_ASSETS_PREFIX = `/static/katex-${KATEX_VERSION}/`;
/** The folder served at KATEX_ASSETS_PREFIX. */
export const KATEX_DIST_DIR = join(dirname(createRequire(import.meta.url).resolve('katex/package.json')), 'dist');

const STYLE_SHEET_FILE = fileURLToPath(new URL('../static/style.css', import.meta.url));
/** Hex digits of the content hash kept in the stylesheet's address. */
const VERSION_HASH_LENGTH = 12;

function contentVersion(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, VERSION_HASH_LENGTH);
}

export const STYLE_SHEET_HREF = `/static/style.css?v=${contentVersion(STYLE_SHEET_FILE)}`;
export const KATEX_STYLE_SHEET_HREF = `${KATEX_ASSETS_PREFIX}katex.min.css`;
export const ICON_HREF = '/static/avatar.svg';
