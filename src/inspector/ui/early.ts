/**
 * The page's first requests: the last page of the list and the run's facts. The inline script at
 * the top of the page (boot.ts) asks for them before the stylesheet and the app are even parsed,
 * so they travel while the rest of the page loads; the app takes them from there.
 */
import { PAGE_ROWS as PAGE, type InfoView, type ListPage } from '../types.js';
import { getJson, hasToken } from './api.js';

export { PAGE };

export interface Early {
  page: Promise<ListPage>;
  info: Promise<InfoView>;
}

declare global {
  interface Window {
    hookctlEarly?: Early | null;
  }
}

export function startEarly(): Early | null {
  if (!hasToken()) return null;
  const early = { page: getJson<ListPage>(`/api/deliveries?offset=tail&limit=${PAGE}`), info: getJson<InfoView>('/api/info') };
  // A mark for `npm run bench:inspector`: when the first page has arrived and is parsed.
  early.page.then(() => performance.mark('hookctl:data')).catch(() => {});
  early.info.catch(() => {});
  return early;
}
