/**
 * Debian's python3-feedparser, a real feed parser, run by Debian's own python3 (not a user-installed one earlier on
 * the PATH): it reads a feed document and reports whether it parsed cleanly (`bozo`) and what each entry carries.
 * Missing feedparser skips the tests that need it, unless PAPERBOY_REQUIRE_FEEDPARSER=1 (CI) makes that a failure.
 */
import { spawnSync } from 'node:child_process';

const DEBIAN_PYTHON = '/usr/bin/python3';

const SCRIPT = `
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
  "bozo": int(d.bozo),
  "bozo_exception": str(d.get("bozo_exception", "")),
  "version": d.version,
  "title": d.feed.get("title"),
  "entries": [{
    "id": e.get("id"),
    "title": e.get("title"),
    "link": e.get("link"),
    "date": e.get("updated") or e.get("published"),
    "authors": [a.get("name") for a in e.get("authors", [])],
    "tags": [t.get("term") for t in e.get("tags", [])],
    "summary": e.get("summary"),
  } for e in d.entries],
}))
`;

export interface ParsedFeed {
  bozo: number;
  bozo_exception: string;
  version: string;
  title: string | null;
  entries: {
    id: string | null;
    title: string | null;
    link: string | null;
    date: string | null;
    authors: (string | null)[];
    tags: (string | null)[];
    summary: string | null;
  }[];
}

/** True when Debian's python3 can import feedparser. */
export function feedparserAvailable(): boolean {
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import feedparser'], { stdio: 'ignore' });
  const available = probe.status === 0;
  if (!available && process.env.PAPERBOY_REQUIRE_FEEDPARSER === '1') {
    throw new Error(
      'PAPERBOY_REQUIRE_FEEDPARSER=1 but /usr/bin/python3 cannot import feedparser (apt-get install python3-feedparser)',
    );
  }
  return available;
}

/** Parses a feed document with feedparser. */
export function parseWithFeedparser(document: string): ParsedFeed {
  const run = spawnSync(DEBIAN_PYTHON, ['-c', SCRIPT], { input: document, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`feedparser failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ParsedFeed;
}
