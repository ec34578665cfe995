/**
 * Stripe's most-used event types, hand-made in the shape of the API's objects (Event envelope with
 * `data.object`, and `data.previous_attributes` on `*.updated`), test mode, fake ids.
 * Reference: docs.stripe.com/api/events/types and the object pages it links.
 */
import { HAND_MADE, HAND_MADE_LICENCE, T0, token, type HandProvider, type HandSample } from './kit.js';

const API_VERSION = '2025-09-30.clover';
const customer = token('cus_', 'customer', 14);
const product = token('prod_', 'product', 14);
const price = token('price_', 'price', 24);
const paymentMethod = token('pm_', 'pm', 24);
const subscription = token('sub_', 'sub', 24);
const invoiceId = token('in_', 'invoice', 24);
const paymentIntentId = token('pi_', 'pi', 24);
const chargeId = token('ch_', 'charge', 24);

function paymentIntent(status: string, extra: Record<string, unknown> = {}) {
  return {
    id: paymentIntentId,
    object: 'payment_intent',
    amount: 4900,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: status === 'succeeded' ? 4900 : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { allow_redirects: 'always', enabled: true },
    canceled_at: status === 'canceled' ? T0 + 30 : null,
    cancellation_reason: status === 'canceled' ? 'requested_by_customer' : null,
    capture_method: 'automatic_async',
    client_secret: `${paymentIntentId}_secret_fakeFakeFakeFake5678`,
    confirmation_method: 'automatic',
    created: T0,
    currency: 'usd',
    customer,
    description: 'Pro plan, monthly',
    last_payment_error: null,
    latest_charge: status === 'requires_payment_method' || status === 'succeeded' ? chargeId : null,
    livemode: false,
    metadata: { order_id: '1043' },
    next_action: null,
    on_behalf_of: null,
    payment_method: status === 'requires_payment_method' ? null : paymentMethod,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: 'jenny.rosen@example.com',
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status,
    transfer_data: null,
    transfer_group: null,
    ...extra,
  };
}

const card = { brand: 'visa', checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' }, country: 'US', exp_month: 12, exp_year: 2030, fingerprint: 'Xt5EWLLDS7FJjR1c', funding: 'credit', last4: '4242', network: 'visa', three_d_secure: null, wallet: null };

function charge(status: string, extra: Record<string, unknown> = {}) {
  const paid = status === 'succeeded';
  return {
    id: chargeId,
    object: 'charge',
    amount: 4900,
    amount_captured: paid ? 4900 : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    balance_transaction: paid ? token('txn_', 'balance', 24) : null,
    billing_details: { address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94107', state: null }, email: 'jenny.rosen@example.com', name: 'Jenny Rosen', phone: null },
    calculated_statement_descriptor: 'HOOKCTL DEMO',
    captured: paid,
    created: T0 + 2,
    currency: 'usd',
    customer,
    description: 'Pro plan, monthly',
    disputed: false,
    failure_code: paid ? null : 'card_declined',
    failure_message: paid ? null : 'Your card was declined.',
    fraud_details: {},
    invoice: null,
    livemode: false,
    metadata: { order_id: '1043' },
    outcome: paid
      ? { network_status: 'approved_by_network', reason: null, risk_level: 'normal', risk_score: 32, seller_message: 'Payment complete.', type: 'authorized' }
      : { network_status: 'declined_by_network', reason: 'generic_decline', risk_level: 'normal', risk_score: 40, seller_message: 'The bank did not return any further details with this decline.', type: 'issuer_declined' },
    paid,
    payment_intent: paymentIntentId,
    payment_method: paymentMethod,
    payment_method_details: { card, type: 'card' },
    receipt_email: 'jenny.rosen@example.com',
    receipt_url: `https://pay.stripe.com/receipts/payment/${token('', 'receipt', 40)}`,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/charges/${chargeId}/refunds` },
    review: null,
    shipping: null,
    status,
    ...extra,
  };
}

function invoice(status: string, extra: Record<string, unknown> = {}) {
  const paid = status === 'paid';
  return {
    id: invoiceId,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Hookctl Demo',
    amount_due: 4900,
    amount_paid: paid ? 4900 : 0,
    amount_remaining: paid ? 0 : 4900,
    attempt_count: status === 'draft' ? 0 : 1,
    attempted: status !== 'draft',
    auto_advance: !paid,
    billing_reason: 'subscription_cycle',
    collection_method: 'charge_automatically',
    created: T0,
    currency: 'usd',
    customer,
    customer_email: 'jenny.rosen@example.com',
    customer_name: 'Jenny Rosen',
    default_payment_method: null,
    description: null,
    hosted_invoice_url: status === 'draft' ? null : `https://invoice.stripe.com/i/acct_1Fake/test_${token('', 'hosted', 32)}`,
    invoice_pdf: status === 'draft' ? null : `https://pay.stripe.com/invoice/acct_1Fake/test_${token('', 'hosted', 32)}/pdf`,
    lines: {
      object: 'list',
      data: [
        {
          id: token('il_', 'line', 24),
          object: 'line_item',
          amount: 4900,
          currency: 'usd',
          description: '1 × Pro (at $49.00 / month)',
          period: { end: T0 + 2592000, start: T0 },
          pricing: { price_details: { price, product }, type: 'price_details', unit_amount_decimal: '4900' },
          quantity: 1,
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/invoices/${invoiceId}/lines`,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: paid || status === 'draft' ? null : T0 + 259200,
    number: status === 'draft' ? null : 'HKC-0042',
    parent: { subscription_details: { metadata: {}, subscription }, type: 'subscription_details' },
    period_end: T0,
    period_start: T0 - 2592000,
    status,
    status_transitions: { finalized_at: status === 'draft' ? null : T0 + 3600, marked_uncollectible_at: null, paid_at: paid ? T0 + 3605 : null, voided_at: null },
    subtotal: 4900,
    total: 4900,
    ...extra,
  };
}

function subscriptionObject(status: string, extra: Record<string, unknown> = {}) {
  return {
    id: subscription,
    object: 'subscription',
    application: null,
    billing_cycle_anchor: T0,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: status === 'canceled' ? T0 + 60 : null,
    collection_method: 'charge_automatically',
    created: T0,
    currency: 'usd',
    customer,
    default_payment_method: paymentMethod,
    ended_at: status === 'canceled' ? T0 + 60 : null,
    items: {
      object: 'list',
      data: [
        {
          id: token('si_', 'item', 14),
          object: 'subscription_item',
          created: T0,
          current_period_end: T0 + 2592000,
          current_period_start: T0,
          metadata: {},
          price: { id: price, object: 'price', active: true, currency: 'usd', product, recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' }, type: 'recurring', unit_amount: 4900 },
          quantity: 1,
          subscription,
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${subscription}`,
    },
    latest_invoice: invoiceId,
    livemode: false,
    metadata: { plan: 'pro' },
    start_date: T0,
    status,
    trial_end: status === 'trialing' ? T0 + 259200 : null,
    trial_start: status === 'trialing' ? T0 - 950400 : null,
    ...extra,
  };
}

function customerObject(extra: Record<string, unknown> = {}) {
  return {
    id: customer,
    object: 'customer',
    address: null,
    balance: 0,
    created: T0 - 86400,
    currency: 'usd',
    default_source: null,
    delinquent: false,
    description: null,
    email: 'jenny.rosen@example.com',
    invoice_prefix: 'HKC',
    invoice_settings: { custom_fields: null, default_payment_method: paymentMethod, footer: null, rendering_options: null },
    livemode: false,
    metadata: { user_id: '1042' },
    name: 'Jenny Rosen',
    phone: null,
    preferred_locales: ['en'],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
    ...extra,
  };
}

function checkoutSession(status: string, paymentStatus: string) {
  const id = token('cs_test_', 'session', 58);
  return {
    id,
    object: 'checkout.session',
    amount_subtotal: 4900,
    amount_total: 4900,
    cancel_url: 'https://example.com/cancel',
    client_reference_id: 'user_1042',
    created: T0,
    currency: 'usd',
    customer,
    customer_details: { address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94107', state: null }, email: 'jenny.rosen@example.com', name: 'Jenny Rosen', phone: null, tax_exempt: 'none', tax_ids: [] },
    expires_at: T0 + 86400,
    livemode: false,
    metadata: {},
    mode: 'subscription',
    payment_intent: null,
    payment_method_types: ['card'],
    payment_status: paymentStatus,
    status,
    subscription: status === 'complete' ? subscription : null,
    success_url: 'https://example.com/success?session_id={CHECKOUT_SESSION_ID}',
    url: status === 'open' ? `https://checkout.stripe.com/c/pay/${id}` : null,
  };
}

const samples: HandSample[] = [];
let sequence = 0;

function event(type: string, object: Record<string, unknown>, options: { previous?: Record<string, unknown>; request?: boolean } = {}): void {
  sequence += 1;
  const id = token('evt_', `event${type}`, 24);
  samples.push({
    event: type,
    id,
    body: {
      id,
      object: 'event',
      api_version: API_VERSION,
      created: T0 + sequence,
      data: { object, ...(options.previous ? { previous_attributes: options.previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: options.request === false ? { id: null, idempotency_key: null } : { id: token('req_', `req${type}`, 14), idempotency_key: `${token('', `idem${type}`, 8)}-hookctl` },
      type,
    },
  });
}

event('payment_intent.created', paymentIntent('requires_payment_method'));
event('payment_intent.processing', paymentIntent('processing'));
event('payment_intent.requires_action', paymentIntent('requires_action', { next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: 'https://hooks.stripe.com/redirect/authenticate/src_1Fake' } } }));
event('payment_intent.payment_failed', paymentIntent('requires_payment_method', { last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', doc_url: 'https://stripe.com/docs/error-codes/card-declined', message: 'Your card was declined.', type: 'card_error' } }));
event('payment_intent.canceled', paymentIntent('canceled'));
event('charge.succeeded', charge('succeeded'));
event('charge.failed', charge('failed'));
event('charge.captured', charge('succeeded'));
event('charge.refunded', charge('succeeded', { amount_refunded: 4900, refunded: true }), { previous: { amount_refunded: 0, refunded: false } });
event('charge.dispute.created', {
  id: token('dp_', 'dispute', 24),
  object: 'dispute',
  amount: 4900,
  charge: chargeId,
  created: T0 + 86400,
  currency: 'usd',
  evidence_details: { due_by: T0 + 864000, has_evidence: false, past_due: false, submission_count: 0 },
  is_charge_refundable: false,
  livemode: false,
  metadata: {},
  payment_intent: paymentIntentId,
  reason: 'fraudulent',
  status: 'needs_response',
}, { request: false });
event('refund.created', {
  id: token('re_', 'refund', 24),
  object: 'refund',
  amount: 4900,
  balance_transaction: token('txn_', 'refundtxn', 24),
  charge: chargeId,
  created: T0 + 600,
  currency: 'usd',
  metadata: {},
  payment_intent: paymentIntentId,
  reason: 'requested_by_customer',
  status: 'succeeded',
});
event('invoice.created', invoice('draft'), { request: false });
event('invoice.finalized', invoice('open'), { request: false });
event('invoice.paid', invoice('paid'), { request: false });
event('invoice.payment_succeeded', invoice('paid'), { request: false });
event('invoice.upcoming', { ...invoice('draft'), id: null, number: null }, { request: false });
event('customer.created', customerObject());
event('customer.updated', customerObject({ email: 'jenny@example.com' }), { previous: { email: 'jenny.rosen@example.com' } });
event('customer.deleted', { ...customerObject(), deleted: true });
event('customer.subscription.created', subscriptionObject('incomplete'));
event('customer.subscription.updated', subscriptionObject('active'), { previous: { status: 'incomplete' }, request: false });
event('customer.subscription.deleted', subscriptionObject('canceled'));
event('customer.subscription.trial_will_end', subscriptionObject('trialing'), { request: false });
event('checkout.session.expired', checkoutSession('expired', 'unpaid'), { request: false });
event('checkout.session.async_payment_succeeded', { ...checkoutSession('complete', 'paid'), mode: 'payment', subscription: null, payment_intent: paymentIntentId }, { request: false });
event('payment_method.attached', {
  id: paymentMethod,
  object: 'payment_method',
  billing_details: { address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94107', state: null }, email: 'jenny.rosen@example.com', name: 'Jenny Rosen', phone: null },
  card: { ...card, checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' } },
  created: T0 - 60,
  customer,
  livemode: false,
  metadata: {},
  type: 'card',
});
event('setup_intent.succeeded', {
  id: token('seti_', 'seti', 24),
  object: 'setup_intent',
  client_secret: `${token('seti_', 'seti', 24)}_secret_fakeFake`,
  created: T0 - 120,
  customer,
  livemode: false,
  metadata: {},
  payment_method: paymentMethod,
  payment_method_types: ['card'],
  status: 'succeeded',
  usage: 'off_session',
});
event('payout.paid', {
  id: token('po_', 'payout', 24),
  object: 'payout',
  amount: 125000,
  arrival_date: T0 + 172800,
  automatic: true,
  balance_transaction: token('txn_', 'payouttxn', 24),
  created: T0,
  currency: 'usd',
  description: 'STRIPE PAYOUT',
  destination: token('ba_', 'bank', 24),
  livemode: false,
  metadata: {},
  method: 'standard',
  status: 'paid',
  type: 'bank_account',
}, { request: false });
event('product.created', { id: product, object: 'product', active: true, created: T0 - 864000, default_price: price, description: 'Everything in Starter, plus webhooks.', images: [], livemode: false, metadata: {}, name: 'Pro', tax_code: null, updated: T0 - 864000, url: null });
event('price.created', { id: price, object: 'price', active: true, billing_scheme: 'per_unit', created: T0 - 864000, currency: 'usd', livemode: false, lookup_key: 'pro_monthly', metadata: {}, nickname: null, product, recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' }, tax_behavior: 'exclusive', type: 'recurring', unit_amount: 4900, unit_amount_decimal: '4900' });
event('account.updated', { id: 'acct_1FakeConnected01', object: 'account', business_type: 'individual', charges_enabled: true, country: 'US', default_currency: 'usd', details_submitted: true, email: 'owner@example.com', payouts_enabled: true, requirements: { currently_due: [], disabled_reason: null, eventually_due: [], past_due: [] }, type: 'express' }, { previous: { charges_enabled: false }, request: false });

export const stripe: HandProvider = {
  title: 'Stripe',
  source: HAND_MADE,
  licence: HAND_MADE_LICENCE,
  contentType: 'application/json; charset=utf-8',
  defaultEvent: 'payment_intent.succeeded',
  typeIn: 'body',
  idIn: 'body',
  style: 'pretty',
  samples,
};
