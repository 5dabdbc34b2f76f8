import { describe, expect, it } from 'vitest';
import { describeUserAgent, momentLabel } from './account-labels.ts';

describe('describeUserAgent', () => {
  it('names the browser and the system people recognise', () => {
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe(
      'Firefox on Linux',
    );
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0',
      ),
    ).toBe('Edge on Windows');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari on iOS');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
      ),
    ).toBe('Chrome on Android');
  });

  it('falls back to what it can say', () => {
    expect(describeUserAgent(null)).toBe('Unknown browser');
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent('vitest')).toBe('vitest');
    expect(describeUserAgent('x'.repeat(100))).toBe(`${'x'.repeat(40)}…`);
  });
});

describe('momentLabel', () => {
  it('shows a timestamp to the minute in UTC', () => {
    expect(momentLabel('2024-04-02T14:05:59.000Z')).toEqual({
      iso: '2024-04-02T14:05:59.000Z',
      text: '2 April 2024, 14:05 UTC',
    });
  });
});
