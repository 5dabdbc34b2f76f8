/**
 * Labels for the account pages: moments (a session's last use, a token's creation) to the minute in UTC, and a
 * browser's user agent as the few words a person recognises ("Firefox on Linux") rather than a 150-character string.
 */
import { DateTime } from 'luxon';

const LOCALE = 'en-GB';

export interface MomentLabel {
  /** The ISO timestamp, for `<time datetime>`. */
  iso: string;
  /** `2 April 2024, 14:05 UTC`. */
  text: string;
}

/** A timestamp to the minute, in UTC (the server does not know the reader's zone). */
export function momentLabel(timestamp: string): MomentLabel {
  const time = DateTime.fromISO(timestamp, { zone: 'utc' });
  if (!time.isValid) return { iso: timestamp, text: timestamp };
  return { iso: timestamp, text: `${time.setLocale(LOCALE).toFormat('d LLLL yyyy, HH:mm')} UTC` };
}

/** Browsers by the token that identifies them; order matters (Edge and Opera also say Chrome, Chrome says Safari). */
const BROWSERS: [RegExp, string][] = [
  [/\bEdgA?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\bFirefox\//, 'Firefox'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Chrome|CriOS|Chromium|HeadlessChrome)\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
  [/\bcurl\//, 'curl'],
  [/\bpython-requests\/|\bhuggingface_hub\//, 'a Python script'],
];
const SYSTEMS: [RegExp, string][] = [
  [/\bAndroid\b/, 'Android'],
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** "Firefox on Linux", "Safari on iOS", or "Unknown browser". */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `A browser on ${system}`;
  return userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent;
}
