import { clip } from '../common.js';
import { header } from '../headers.js';
import { json } from './common.js';
import type { Handshake } from './types.js';

/**
 * AWS SNS `SubscriptionConfirmation` (docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html):
 * a signed message whose SubscribeURL must be visited to confirm. hookctl never fetches it: the
 * delivery is stored and answered like any other, with the URL shown for you to open.
 */
export const snsSubscriptionConfirmation: Handshake = {
  name: 'sns-subscription-confirmation',
  schemes: ['sns'],
  signed: true,
  method: 'POST',
  answer({ headers, body }) {
    // SNS always says the message type in a header: read the body only for a confirmation.
    if (header(headers, 'x-amz-sns-message-type') !== 'SubscriptionConfirmation') return undefined;
    const message = json(body);
    if (message?.Type !== 'SubscriptionConfirmation' || typeof message.SubscribeURL !== 'string') return undefined;
    return { note: `SNS SubscriptionConfirmation: to confirm, open ${clip(message.SubscribeURL, 300)} (hookctl does not fetch it)` };
  },
  sample: {
    type: 'SubscriptionConfirmation',
    body: () =>
      JSON.stringify({
        Type: 'SubscriptionConfirmation',
        MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
        Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:hookctl-test',
        Message: 'You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:hookctl-test.\nTo confirm the subscription, visit the SubscribeURL included in this message.',
        SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:hookctl-test&Token=2336412f37fb687f5d51e6e2',
      }),
  },
};
