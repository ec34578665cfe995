/** Stream entry ids, `<unix ms>-<sequence>`: compared and stepped as numbers, never as text. */

function parts(id: string): [bigint, bigint] {
  const [ms = '0', seq = '0'] = id.split('-');
  return [BigInt(ms), BigInt(seq)];
}

export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = parts(a);
  const [bMs, bSeq] = parts(b);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

export function minId(a: string, b: string): string {
  return compareIds(a, b) <= 0 ? a : b;
}

/** The smallest id after `id`. */
export function nextId(id: string): string {
  const [ms, seq] = parts(id);
  return `${ms}-${seq + 1n}`;
}

/** The first id at or after a moment. */
export function idAt(unixMs: number): string {
  return `${Math.max(0, Math.floor(unixMs))}-0`;
}
