import type { CommandContext } from '../../cli/context.js';
import { schemeOptionsFrom } from '../../cli/scheme-flags.js';
import { resolveSecrets, secretOrigins, type SecretFlags } from '../../cli/secrets.js';
import { hasNoPath } from '../../delivery/forward-request.js';
import { parseRetrySchedule } from '../../delivery/policy.js';
import { usageError } from '../../errors.js';
import type { ListenOptions } from '../../listen/types.js';
import { BadSecretError, keyFromSecret } from '../../schemes/crypto.js';
import { isEd25519Secret } from '../../schemes/ed25519.js';
import { getScheme } from '../../schemes/registry.js';
import { parseDuration, parseHttpStatus, parseInteger, parsePositiveDuration, parseProbability, parseSize, parseUrl } from '../../options/units.js';
import { queueOverridesFrom, redisTimeoutFrom } from '../../cli/queue-options.js';
import { parseQueueAddress, pastableAddress } from '../../queue/address.js';
import { routesFrom } from '../../routes/route.js';

type Options = CommandContext['options'];

/** Where a flag's value came from (commander's value source: default, cli, env, config). */
export type OptionSource = (name: string) => string | undefined;

/** Flags to listener options; every bad value is a usage error naming its flag. */
export function listenOptionsFrom(options: Options, env: NodeJS.ProcessEnv, source: OptionSource = () => undefined): ListenOptions {
  const port = parseInteger(String(options.port), '--port', { min: 0, max: 65535 });
  const path = options.path as string | undefined;
  if (path !== undefined && !path.startsWith('/')) throw usageError(`--path: expected a path starting with /, got "${path}"`);
  const secrets = resolveSecrets(options, env);
  const queue = options.queue === undefined ? undefined : String(options.queue);
  // With --queue the deliveries are kept in Redis: a local copy only when asked for.
  const captureGiven = options.capture !== undefined && options.capture !== false && !['default', undefined].includes(source('capture'));
  const capture = options.capture === false || (queue !== undefined && !captureGiven) ? undefined : String(options.capture ?? 'fixtures/captured');
  if (capture === undefined && options.durable) {
    throw usageError(queue !== undefined ? "--durable: with --queue nothing is written locally unless --capture DIR is given; what survives a crash of Redis is Redis's persistence (appendonly, appendfsync)" : '--durable: nothing is written with --no-capture; drop one of them');
  }
  if (capture === undefined && options.captureFiles) throw usageError('--capture-files: nothing is written with --no-capture; drop one of them');
  if (capture === '') throw usageError('--capture: expected a folder');

  const scheme = String(options.scheme ?? 'auto');
  if (scheme !== 'auto') checkSecretsFit(scheme, secrets, options);

  const result: ListenOptions = {
    port,
    host: String(options.host ?? '127.0.0.1'),
    scheme,
    schemeOptions: schemeOptionsFrom(options),
    secrets,
    // Unset: each scheme's documented tolerance (Paddle 5 s, Linear 60 s, Twitch 10 min), else 5 minutes.
    ...(options.tolerance !== undefined ? { toleranceSeconds: parseDuration(String(options.tolerance), '--tolerance') / 1000 } : {}),
    captureFiles: Boolean(options.captureFiles),
    durable: Boolean(options.durable),
    maxBodyBytes: parseSize(String(options.maxBody ?? '1mb'), '--max-body'),
    headerTimeoutMs: parsePositiveDuration(String(options.headerTimeout ?? '10s'), '--header-timeout'),
    bodyTimeoutMs: parsePositiveDuration(String(options.bodyTimeout ?? '30s'), '--body-timeout'),
    drainTimeoutMs: parseDuration(String(options.drainTimeout ?? '10s'), '--drain-timeout'),
  };
  if (result.maxBodyBytes! <= 0) throw usageError('--max-body: must be greater than 0');
  if (path !== undefined) result.path = path;
  if (capture !== undefined) result.captureDir = capture;
  if (options.url !== undefined) result.publicUrl = parseUrl(String(options.url), '--url').href;
  // Commander's --no-handshakes sets handshakes to false; answered by default.
  if (options.handshakes === false) result.handshakes = false;
  if (options.idHeader !== undefined) {
    const name = String(options.idHeader).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw usageError(`--id-header: "${options.idHeader}" is not a header name`);
    result.idHeader = name;
  }

  // Repeated flags give a list; HOOKCTL_KEEP_HEADER gives one string, possibly comma-separated.
  const keep = [options.keepHeader ?? []]
    .flat()
    .flatMap((value: string) => String(value).split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of keep) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw usageError(`--keep-header: "${name}" is not a header name`);
  }
  if (keep.length > 0) result.keepHeaders = keep.map((name) => name.toLowerCase());

  const routeSpecs = [options.route ?? []].flat().map(String);
  if (queue !== undefined) {
    const overrides = queueOverridesFrom(options);
    const address = parseQueueAddress(queue, overrides, '--queue');
    for (const [flag, name] of [['--forward-to', 'forwardTo'], ['--route', 'route'], ['--ack-first', 'ackFirst'], ['--forward-secret', 'forwardSecret'], ['--forward-retry-schedule', 'forwardRetrySchedule']] as const) {
      const value = options[name];
      if (value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0)) throw usageError(`${flag}: with --queue the workers forward (hookctl worker ${pastableAddress(address).args} --forward-to …); drop it here`);
    }
    const timeoutMs = redisTimeoutFrom(options);
    result.queue = { url: queue, ...overrides, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(options.allowEviction ? { allowEviction: true } : {}) };
  } else {
    for (const [flag, name] of [['--stream', 'stream'], ['--group', 'group'], ['--redis-password-file', 'redisPasswordFile'], ['--redis-timeout', 'redisTimeout'], ['--allow-eviction', 'allowEviction']] as const) {
      if (options[name] !== undefined) throw usageError(`${flag}: only makes sense with --queue redis://…`);
    }
  }
  if (options.dedupeWindow !== undefined) {
    result.dedupeWindowMs = parsePositiveDuration(String(options.dedupeWindow), '--dedupe-window');
  }

  if (options.forwardTo !== undefined || routeSpecs.length > 0) {
    const forwardTo = options.forwardTo === undefined ? undefined : String(options.forwardTo);
    const routes = routesFrom(forwardTo, routeSpecs);
    result.forward = {
      ...(forwardTo !== undefined ? { url: parseUrl(forwardTo, '--forward-to').href, keepPath: hasNoPath(forwardTo) } : {}),
      ...(routeSpecs.length > 0 ? { routes: routes.slice(forwardTo !== undefined ? 1 : 0) } : {}),
      ackFirst: Boolean(options.ackFirst),
      timeoutMs: parsePositiveDuration(String(options.forwardTimeout ?? '10s'), '--forward-timeout'),
    };
    if (options.forwardSecret !== undefined) {
      if (String(options.forwardSecret) === '') throw usageError('--forward-secret: the secret is empty');
      result.forward.secret = String(options.forwardSecret);
    }
    if (scheme === 'twilio' && secrets.length === 0 && result.forward.secret === undefined) {
      throw usageError(`${forwardTo !== undefined ? '--forward-to' : '--route'}: Twilio signs the URL it posts to, so your app cannot verify a forwarded copy with the original signature; give --secret (the listener verifies, then re-signs for your app\'s URL) or --forward-secret`);
    }
    if (options.forwardRetrySchedule !== undefined) {
      const parsed = parseRetrySchedule(String(options.forwardRetrySchedule), '--forward-retry-schedule');
      result.forward.retryScheduleMs = parsed.delaysMs;
      result.forward.retryJitter = parsed.jitter;
    }
  } else {
    for (const [flag, name] of [['--ack-first', 'ackFirst'], ['--forward-secret', 'forwardSecret'], ['--forward-retry-schedule', 'forwardRetrySchedule']] as const) {
      if (options[name] !== undefined && options[name] !== false && queue === undefined) throw usageError(`${flag}: only makes sense with --forward-to URL or --route 'FILTER=URL'`);
    }
  }

  const faults: NonNullable<ListenOptions['faults']> = {};
  if (options.status !== undefined) faults.status = parseHttpStatus(String(options.status), '--status');
  if (options.failFirst !== undefined) faults.failFirst = parseInteger(String(options.failFirst), '--fail-first', { min: 0 });
  if (options.failRate !== undefined) faults.failRate = parseProbability(String(options.failRate), '--fail-rate');
  if (options.failStatus !== undefined) faults.failStatus = parseHttpStatus(String(options.failStatus), '--fail-status');
  if (options.retryAfter !== undefined) faults.retryAfterMs = parseDuration(String(options.retryAfter), '--retry-after');
  if (options.resetRate !== undefined) faults.resetRate = parseProbability(String(options.resetRate), '--reset-rate');
  if (options.delay !== undefined) faults.delayMs = parseDuration(String(options.delay), '--delay');
  result.faults = faults;
  return result;
}

/**
 * A secret the named scheme cannot turn into a key (a Standard Webhooks secret that is not base64)
 * would make the listener refuse every delivery: say so at start instead. The secret is not echoed.
 */
function checkSecretsFit(schemeName: string, secrets: readonly string[], flags: SecretFlags): void {
  const scheme = getScheme(schemeName);
  const origins = secretOrigins(flags);
  for (const [index, secret] of secrets.entries()) {
    if ((schemeName === 'standard' || schemeName === 'svix') && isEd25519Secret(secret)) continue;
    try {
      keyFromSecret(secret, scheme.keyEncoding);
      // A public key of another kind (an Ed25519 key for SendGrid's ECDSA) is as unusable.
      scheme.checkVerifyingKey?.(secret);
    } catch (error) {
      if (!(error instanceof BadSecretError)) throw error;
      const origin = origins[index] ?? '--secret';
      const which = secrets.length > 1 ? ` (#${index + 1} of ${secrets.length} secrets and keys)` : '';
      throw usageError(`${origin}${which}: not a usable ${scheme.title} key: ${error.message}`);
    }
  }
}

export { isLoopbackHost } from '../../options/hosts.js';
