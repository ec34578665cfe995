import { describe, expect, it } from 'vitest';
import { DEFAULT_GROUP, DEFAULT_STREAM, parseQueueAddress } from '../../src/queue/address.js';
import { UserError } from '../../src/errors.js';

/** The one-line message of the usage error (exit 2) that parsing `text` raises. */
function refusal(text: string, overrides = {}): string {
  const error = (() => {
    try {
      return parseQueueAddress(text, overrides);
    } catch (caught) {
      return caught;
    }
  })();
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).exitCode).toBe(2);
  return (error as UserError).message;
}

describe('a queue URL', () => {
  it('defaults port, database, stream and group', () => {
    const address = parseQueueAddress('redis://127.0.0.1');
    expect(address).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, tls: false, stream: DEFAULT_STREAM, group: DEFAULT_GROUP, username: undefined, password: undefined });
    expect(address.display).toBe('redis://127.0.0.1:6379/0');
  });

  it('takes user, password, database and TLS, and shows the password as ***', () => {
    const address = parseQueueAddress('rediss://app:s3cr%40t@redis.internal:6380/3');
    expect(address).toMatchObject({ tls: true, host: 'redis.internal', port: 6380, db: 3, username: 'app', password: 's3cr@t' });
    expect(address.display).toBe('rediss://app:***@redis.internal:6380/3');
    expect(parseQueueAddress('redis://:pw@h:1').display).toBe('redis://***@h:1/0');
  });

  it('names stream and group by query parameter, and options win over them', () => {
    const fromQuery = parseQueueAddress('redis://h:1/0?stream=orders&group=billing');
    expect(fromQuery).toMatchObject({ stream: 'orders', group: 'billing' });
    expect(fromQuery.display).toBe('redis://h:1/0?stream=orders&group=billing');
    expect(parseQueueAddress('redis://h:1/0?stream=orders', { stream: 'other', group: 'g2' })).toMatchObject({ stream: 'other', group: 'g2' });
  });

  it('a password from a file (kept out of ps) is used when the URL has none', () => {
    expect(parseQueueAddress('redis://h:1', { password: 'from-file' })).toMatchObject({ password: 'from-file' });
    expect(parseQueueAddress('redis://:in-url@h:1', { password: 'from-file' })).toMatchObject({ password: 'in-url' });
  });

  it('refuses bad URLs in one line, never echoing the password', () => {
    expect(refusal('http://u:hunter2@h:1')).toBe('<redis-url>: expected a redis:// or rediss:// URL, got "http://u:***@h:1"');
    expect(refusal('redis://u:hunter2@h:1/x')).toMatch(/"\/x" is not a database number/);
    expect(refusal('redis://h:1?strem=x')).toMatch(/unknown query parameter "strem" \(known: stream, group\)/);
    expect(refusal('redis://h:1', { stream: 'has space' })).toMatch(/^--stream: "has space" is not a usable name/);
    expect(refusal('not a url :hunter2@')).not.toContain('hunter2');
  });
});
