/** Library entry: the signature core and the delivery record, for use from code and tests. */
export * from './schemes/index.js';
export * from './records/record.js';
export { signRequest, type SignedRequest } from './schemes/sign-request.js';
