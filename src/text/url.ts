/** A URL for display: a password (or token) in its user-info part is hidden, the rest kept as given. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_match, scheme: string, userInfo: string) => {
    const colon = userInfo.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${userInfo.slice(0, colon)}:***`}@`;
  });
}
