const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/gi;

function hideUserInfo(_match: string, scheme: string, userInfo: string): string {
  const colon = userInfo.indexOf(':');
  return `${scheme}${colon < 0 ? '***' : `${userInfo.slice(0, colon)}:***`}@`;
}

/** A URL for display: a password (or token) in its user-info part is hidden, the rest kept as given. */
export function displayUrl(url: string): string {
  // A listener shows its few route URLs once per forward: each is masked once.
  let shown = displayed.get(url);
  if (shown === undefined) {
    shown = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, hideUserInfo);
    if (displayed.size >= DISPLAYED_MAX) displayed.clear();
    displayed.set(url, shown);
  }
  return shown;
}

const DISPLAYED_MAX = 256;
const displayed = new Map<string, string>();

/** Text that may hold URLs (a route `type:x=http://u:p@host/`), each with its password hidden. */
export function hideUrlPasswords(text: string): string {
  return text.replace(USER_INFO, hideUserInfo);
}
