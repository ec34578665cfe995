import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/text/bytes.js';
import { formatDuration } from '../../src/text/duration.js';

describe('formatDuration: the one way a wait is written', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [999.4, '999ms'],
    [999.6, '1s'],
    [4_240, '4.2s'],
    [9_960, '10s'],
    [10_000, '10s'],
    [59_700, '1m'],
    [90_000, '1m 30s'],
    [599_600, '10m'],
    [599_400, '9m 59s'],
    [600_000, '10m'],
    [3_599_700, '1h'],
    [5_400_000, '1h 30m'],
    [36_000_000, '10h'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('never shows 60 seconds or 60 minutes', () => {
    for (let ms = 0; ms < 7_300_000; ms += 97) expect(formatDuration(ms)).not.toMatch(/\b60[sm]\b/);
  });
});

describe('formatBytes: binary units', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024, '1.0 MiB'],
    [5 * 1024 ** 3, '5.00 GiB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
