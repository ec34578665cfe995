import { describe, expect, it } from 'vitest';
import { isOutOfFileDescriptors, openFilesLimit, outOfFileDescriptorsMessage } from '../../src/capture/fd-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('running out of file descriptors', () => {
  it('reads the limit and says how to raise it', () => {
    expect(openFilesLimit(LIMITS)).toEqual({ soft: 1024, hard: 524288 });
    expect(outOfFileDescriptorsMessage({ soft: 1024, hard: 524288 })).toBe(
      'out of file descriptors (the limit is 1024, and may be raised to 524288 without privileges): connections are being reset without an answer; raise the limit before starting hookctl (ulimit -n 524288), or lower the number of concurrent connections',
    );
    expect(outOfFileDescriptorsMessage({ soft: 4096, hard: 4096 })).toMatch(/^out of file descriptors \(the limit is 4096\): .*\(ulimit -n 65536\)/);
    expect(openFilesLimit('nothing here')).toBeUndefined();
    expect(isOutOfFileDescriptors(Object.assign(new Error('x'), { code: 'EMFILE' }))).toBe(true);
    expect(isOutOfFileDescriptors(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')('reads this process\'s own limit on Linux', () => {
    const limit = openFilesLimit();
    expect(limit!.soft).toBeGreaterThan(0);
    expect(limit!.hard).toBeGreaterThanOrEqual(limit!.soft);
  });
});
