/**
 * What a forged request costs to refuse. A forged request of any scheme and any shape up to
 * --max-body must cost at most a small multiple of HMAC-ing its bytes: otherwise a few forged
 * requests a second starve the real deliveries. Twilio was the outlier (a forged 1 MB form of
 * 110k parameters cost ≈1 s of listener CPU, a forged 1 MB GitHub body 9 ms): its form was parsed
 * and sorted once per URL variant, twice more for the id and type, and again per diagnosis suspect.
 *
 * Ratios are measured against HMAC-SHA1 of the same bytes in the same run, in CPU time, best of
 * several rounds on each side (the machine is shared); the bound asserted is generous, the ratios
 * are printed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { getScheme } from '../../src/schemes/registry.js';
import { cleanup, expectStillServes, githubHeaders, post, SECRET, spawnListener, tempDir } from './support.js';

afterEach(cleanup);

const MB = 1_000_000;
const FORM = 'application/x-www-form-urlencoded';
const forgedSignature = () => randomBytes(20).toString('base64');

/** A form of about `bytes` bytes: `count` parameters made by `param(i, room)`, `room` the bytes each may take. */
function form(count: number, param: (i: number, room: number) => string, bytes = MB): Buffer {
  const room = Math.floor(bytes / count) - 1;
  return Buffer.from(Array.from({ length: count }, (_, i) => param(i, room)).join('&'));
}

const SHAPES: Record<string, Buffer> = {
  // The shape of the report: ~110k short parameters.
  '110k parameters': form(110_000, (i) => `p${i.toString(36).padStart(4, '0')}=${String(i % 97).padStart(2, '0')}`),
  // Just under the parameter limit, each shape aimed at a different part of the work.
  '999 plain values': form(999, (i, room) => `n${i}=`.padEnd(room, 'v')),
  '999 values of +': form(999, (i, room) => `n${i}=`.padEnd(room, '+')),
  '999 escaped values': form(999, (i, room) => `n${i}=${'%E2%82%AC'.repeat(Math.floor(room / 9) - 1)}`),
  '999 long names, one prefix': form(999, (i, room) => `${'k'.repeat(room - 8)}${String(i).padStart(4, '0')}=v`),
  '999 values of one name': form(999, (i, room) => `n=${String(i).padStart(room - 2, 'x')}`),
  'one 1 MB value': Buffer.from(`a=${'v'.repeat(MB - 2)}`),
};

/**
 * CPU time of one call of fn, in ms: the best of `rounds` rounds of `calls` calls. CPU time, not
 * the clock, so that other work on a shared machine does not count against either side.
 */
function cpuMs(rounds: number, calls: number, fn: () => unknown): number {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i++) fn();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000 / calls);
  }
  return best;
}

describe('the cost of refusing a forged Twilio request', () => {
  it('is a small multiple of HMAC-SHA1 over its bytes, for every shape up to 1 MB', () => {
    for (const body of Object.values(SHAPES)) expect(body.length).toBeLessThanOrEqual(MB);
    const twilio = getScheme('twilio');
    // A URL whose six variants (port, normalisation, legacy query) all differ: the most HMACs.
    const url = 'https://user:pw@hooks.example.com/twilio/sms?a=%20b&c=d e';
    const ratios: string[] = [];
    for (const [shape, body] of Object.entries(SHAPES)) {
      for (const headers of [{ 'content-type': FORM }, {}]) {
        const hmacMs = cpuMs(5, 20, () => createHmac('sha1', SECRET).update(body).digest());
        // A fresh copy each time: nothing parsed for an earlier request may be reused.
        const verifyMs = cpuMs(5, 4, () => {
          const result = twilio.verify({ body: Buffer.from(body), headers: { ...headers, 'x-twilio-signature': forgedSignature() }, secrets: [SECRET], toleranceSeconds: 300, nowMs: Date.now(), url });
          expect(result.verified).toBe(false);
        });
        const ratio = verifyMs / hmacMs;
        const detail = `${verifyMs.toFixed(2)} ms against ${hmacMs.toFixed(2)} ms of CPU for HMAC-SHA1`;
        ratios.push(`${shape}${'content-type' in headers ? '' : ' (no Content-Type)'}: ${ratio.toFixed(1)}x`);
        expect(ratio, `${shape}: ${detail}`).toBeLessThanOrEqual(20);
      }
    }
    console.info(`verify cost / HMAC-SHA1 of the body: ${ratios.join(', ')}`);
  });

  it('a flood of forged 1 MB Twilio forms costs a spawned listener no more than forged GitHub bodies of the same size', async () => {
    const dir = tempDir();
    const listener = await spawnListener(['--secret', SECRET, '--capture', dir]);
    const cpuTicks = () => {
      const fields = readFileSync(`/proc/${listener.cli.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime, after the state field
    };
    async function flood(count: number, request: (i: number) => { body: Buffer; headers: Record<string, string> }): Promise<number> {
      const before = cpuTicks();
      for (let i = 0; i < count; i++) {
        const { body, headers } = request(i);
        const answer = await post(listener.url, body, headers);
        expect(answer.status).toBe(401);
      }
      return cpuTicks() - before;
    }
    const twilioForm = (body: Buffer) => () => ({ body, headers: { 'content-type': FORM, 'x-twilio-signature': forgedSignature() } });
    // First spend the diagnosis budget's burst (200 ms): from then on every phase gets the same 20 ms a second.
    await flood(10, twilioForm(SHAPES['999 values of +']!));
    const count = 20;
    const github = await flood(count, (i) => {
      const body = SHAPES['110k parameters']!;
      return { body, headers: { ...githubHeaders(body, 'not-the-secret', `forged-${i}`), 'content-type': FORM } };
    });
    const manyParams = await flood(count, twilioForm(SHAPES['110k parameters']!));
    const underLimit = await flood(count, twilioForm(SHAPES['999 values of +']!));
    const perRequest = (ticks: number) => `${((ticks * 10) / count).toFixed(1)} ms`;
    console.info(`listener CPU per forged 1 MB request: GitHub ${perRequest(github)}, Twilio of 110k parameters ${perRequest(manyParams)}, Twilio of 999 parameters ${perRequest(underLimit)}`);
    // All pay reading and capturing 1 MB; Twilio also tries up to six URL variants (six HMACs to
    // GitHub's one). Before the fix a Twilio form of 110k parameters cost ≈1 s, a hundred GitHub bodies.
    expect(manyParams).toBeLessThanOrEqual(4 * github + 10);
    expect(underLimit).toBeLessThanOrEqual(4 * github + 10);
    await expectStillServes(listener);
  });
});
