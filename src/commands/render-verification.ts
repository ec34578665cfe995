import type { Output } from '../cli/output.js';
import type { VerifyResult } from '../schemes/types.js';

/** One verification, as a ✓/✗ line with reason and diagnosis, or a `verification` record. */
export function renderVerification(output: Output, result: VerifyResult, context: { capturedAtSeconds?: number } = {}): void {
  output.record({
    type: 'verification',
    verified: result.verified,
    scheme: result.scheme,
    reason: result.reason,
    message: result.message,
    diagnosis: result.diagnosis ?? null,
    ...(result.skewSeconds !== undefined ? { skewSeconds: result.skewSeconds } : {}),
    ...(result.secretIndex !== undefined ? { secretIndex: result.secretIndex } : {}),
  });
  if (output.json) return;
  const c = output.color;
  if (result.verified) {
    const which = result.secretIndex ? ` (secret #${result.secretIndex + 1})` : '';
    output.line(output.ok(`verified ${c.dim(`${result.scheme}${which}`)}`));
    return;
  }
  output.line(output.bad(`${result.reason} ${c.dim(`[${result.scheme}]`)}: ${result.message}`));
  if (result.diagnosis) output.line(`  ${c.yellow('likely cause:')} ${result.diagnosis}`);
  else if (result.reason === 'timestamp_outside_tolerance') {
    const now = context.capturedAtSeconds !== undefined ? `--now ${context.capturedAtSeconds} (when it was captured)` : '--now <unix seconds>';
    output.line(`  ${c.dim(`to check an old capture, verify as of its time with ${now}, or widen --tolerance`)}`);
  }
  else if (result.reason === 'signature_mismatch') {
    output.line(`  ${c.dim('checked: re-serialized JSON (as JavaScript, Python, PHP, Rails and Go write it), trailing newline, CRLF/LF, secret encoding and whitespace — none verified, so the secret is probably not the one the sender used')}`);
    output.line(`  ${c.dim('or the body was re-serialized in a way nothing can undo (1.0 → 1, key order): given the bytes as they arrived, verify --fixture CAPTURE --file THIS_BODY names what changed')}`);
  }
}
