/**
 * Inline at the top of the page (allowed by its hash in the CSP): takes the access token out of
 * the URL and asks for the first rows at once, while the stylesheet and the app are parsed.
 */
import { startEarly } from './early.js';

window.hookctlEarly = startEarly();
