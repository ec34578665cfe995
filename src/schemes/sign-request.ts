import type { OutgoingHeaders, Scheme, SignInput } from './types.js';

export interface SignedRequest {
  /** The provider's own headers, then the signature headers (which win on a clash). */
  headers: OutgoingHeaders;
  /** The URL to post to: the given one, or the scheme's variant of it (Twilio's bodySHA256). */
  url: string | undefined;
  /** The body to send: the given one, or with the signature written into it (Mailgun, SNS). */
  body: Uint8Array;
}

/** Everything a provider would put on the request for this body: delivery headers and signature. */
export function signRequest(scheme: Scheme, input: SignInput & { type?: string }): SignedRequest {
  const url = input.url !== undefined && scheme.targetUrl ? scheme.targetUrl(input.url, input.body) : input.url;
  const signing = { ...input, ...(url !== undefined ? { url } : {}) };
  const body = scheme.signBody ? scheme.signBody(signing) : input.body;
  const headers = {
    ...scheme.deliveryHeaders({ id: input.id, ...(input.type ? { type: input.type } : {}) }),
    ...scheme.sign({ ...signing, body }),
  };
  return { headers, url, body };
}
