/**
 * The spellings a secret may travel in, lower case (match them regardless of case): as given,
 * URL-encoded (component and form style), and the key inside a prefixed one (`whsec_…`, `whsk_…`,
 * `whpk_…`). What the listener redacts and the inspector scrubs: one list, so neither misses what
 * the other catches.
 */
export function secretSpellings(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]);
  const bare = /^wh(?:sec|sk|pk)_(.+)$/.exec(secret)?.[1];
  if (bare) for (const form of [bare, encodeURIComponent(bare)]) forms.add(form);
  return [...forms].filter((form) => form.length > 0).map((form) => form.toLowerCase());
}

/** One case-insensitive pattern for every spelling of every secret (longest first), or undefined for none. */
export function secretPattern(spellings: Iterable<string>): RegExp | undefined {
  const forms = [...new Set(spellings)].sort((a, b) => b.length - a.length);
  return forms.length > 0 ? new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi') : undefined;
}
