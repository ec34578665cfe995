import type { OptionValues } from 'commander';
import type { SchemeOptions } from '../schemes/types.js';

/** The scheme options from parsed flags (--legacy-sha1 and the generic hmac flags). */
export function schemeOptionsFrom(options: OptionValues): SchemeOptions {
  const result: SchemeOptions = {};
  if (options.legacySha1) result.legacySha1 = true;
  if (options.signatureHeader) result.signatureHeader = String(options.signatureHeader);
  if (options.algorithm) result.algorithm = options.algorithm;
  if (options.encoding) result.encoding = options.encoding;
  if (options.prefix !== undefined) result.prefix = String(options.prefix);
  return result;
}
