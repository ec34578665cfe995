export * from './types.js';
export { detectScheme, getScheme, isSchemeName, KNOWN_SIGNATURE_HEADERS, resolveScheme, SCHEME_NAMES, verifyWith, type SchemeName } from './registry.js';
export { diagnose, diagnoseMismatch, verifyAndDiagnose, type Diagnosis, type DiagnoseOptions } from './diagnose.js';
export { generateEd25519KeyPair } from './ed25519.js';
export { twilioTargetUrl } from './twilio.js';
export { header, headerValues, normalizeHeaders } from './headers.js';
export { safeEqual } from './crypto.js';
