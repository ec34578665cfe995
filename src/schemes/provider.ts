import { jsonField, jsonId } from './common.js';
import { hasHeader, headerId } from './headers.js';
import type { EventMeta, HeaderMap, OutgoingHeaders } from './types.js';

/**
 * What every provider adds to its family's signature: its name, the headers it sends beside the
 * signature, where its event id and type live, and how `auto` tells it from a sibling of the same
 * family. A provider is then a few lines of configuration (providers.ts).
 */
export interface ProviderMeta {
  /** The `--scheme` value: the provider's name in lower case. */
  name: string;
  title: string;
  deliveryHeaders(event: EventMeta): OutgoingHeaders;
  eventId(headers: HeaderMap, body: Uint8Array): string | undefined;
  eventType(headers: HeaderMap, body: Uint8Array): string | undefined;
  /**
   * Whether the id `eventId` reads is covered by the signature: an id in the signed body is, a
   * delivery-id header beside a MAC of the body is not.
   */
  idSigned: boolean;
  /**
   * A header that must be present besides the signature header for `auto` to pick this provider,
   * where the signature header alone is shared with a sibling (Bitbucket's and Jira's
   * X-Hub-Signature). Lower case.
   */
  detectAlso?: string;
  /** The timestamp tolerance the provider documents, seconds (5 minutes where it documents none). */
  toleranceSeconds?: number;
}

type Extract = (headers: HeaderMap, body: Uint8Array) => string | undefined;

/** An id or type from a header. */
export const fromHeader =
  (name: string): Extract =>
  (headers) =>
    headerId(headers, name);

/** An id from the JSON body at a dotted path (see jsonId for bodies that are not UTF-8). */
export const idFromJson =
  (path: string): Extract =>
  (_headers, body) =>
    jsonId(body, path);

/** A type (or any text) from the JSON body at a dotted path. */
export const fromJson =
  (path: string): Extract =>
  (_headers, body) =>
    jsonField(body, path);

/** The first extractor that finds something. */
export const firstOf =
  (...extractors: Extract[]): Extract =>
  (headers, body) => {
    for (const extract of extractors) {
      const found = extract(headers, body);
      if (found !== undefined) return found;
    }
    return undefined;
  };

export const nothing: Extract = () => undefined;

/** `auto`'s extra condition for a provider, or true when it has none. */
export function detectAlso(meta: ProviderMeta, headers: HeaderMap): boolean {
  return meta.detectAlso === undefined || hasHeader(headers, meta.detectAlso);
}
