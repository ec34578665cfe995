/**
 * Hand-made samples for payment and commerce providers, in each provider's documented webhook
 * shape (envelope fields as the provider's webhook reference shows them); every id is fake.
 */
import { HAND_MADE, HAND_MADE_LICENCE, T0, digits, iso, token, ulidish, uuid, type HandProvider, type HandSample } from './kit.js';

const base = { source: HAND_MADE, licence: HAND_MADE_LICENCE, contentType: 'application/json', style: 'compact' as const };

// ---------------------------------------------------------------- Paddle Billing (body: event_id, event_type)
const paddleCustomer = ulidish('ctm_', 'customer');
const paddleSubscription = ulidish('sub_', 'subscription');
const paddleTransaction = ulidish('txn_', 'transaction');
const paddlePrice = { id: ulidish('pri_', 'price'), product_id: ulidish('pro_', 'product'), description: 'Monthly', name: 'Pro', billing_cycle: { interval: 'month', frequency: 1 }, trial_period: null, tax_mode: 'account_setting', unit_price: { amount: '3000', currency_code: 'USD' }, status: 'active', quantity: { minimum: 1, maximum: 1 } };
function paddleEvent(type: string, data: unknown, offset: number): HandSample {
  const id = ulidish('evt_', `paddle${type}`);
  return { event: type, id, body: { event_id: id, event_type: type, occurred_at: iso(offset).replace('Z', '123Z'), notification_id: ulidish('ntf_', `paddle${type}`), data } };
}
function paddleTransactionData(status: string) {
  return {
    id: paddleTransaction,
    status,
    customer_id: paddleCustomer,
    address_id: ulidish('add_', 'address'),
    business_id: null,
    custom_data: { user_id: '1042' },
    origin: 'web',
    collection_mode: 'automatic',
    subscription_id: status === 'completed' ? paddleSubscription : null,
    invoice_id: status === 'completed' ? ulidish('inv_', 'invoice') : null,
    invoice_number: status === 'completed' ? '325-10566' : null,
    billing_details: null,
    billing_period: { starts_at: iso(0), ends_at: iso(2592000) },
    currency_code: 'USD',
    discount_id: null,
    created_at: iso(-60),
    updated_at: iso(5),
    billed_at: iso(2),
    items: [{ price: paddlePrice, quantity: 1, proration: null }],
    details: { totals: { subtotal: '3000', tax: '240', discount: '0', total: '3240', grand_total: '3240', fee: status === 'completed' ? '212' : null, earnings: status === 'completed' ? '2788' : null, currency_code: 'USD' }, line_items: [{ id: ulidish('txnitm_', 'item'), price_id: paddlePrice.id, quantity: 1, totals: { subtotal: '3000', tax: '240', discount: '0', total: '3240' }, product: { id: paddlePrice.product_id, name: 'Pro', status: 'active' } }] },
    payments: status === 'completed' ? [{ payment_attempt_id: uuid('paddlepay'), stored_payment_method_id: uuid('paddlespm'), amount: '3240', status: 'captured', error_code: null, method_details: { type: 'card', card: { type: 'visa', last4: '4242', expiry_month: 12, expiry_year: 2030, cardholder_name: 'Jenny Rosen' } }, created_at: iso(1), captured_at: iso(2) }] : [],
    checkout: { url: 'https://example.com/pay?_ptxn=' + paddleTransaction },
  };
}
function paddleSubscriptionData(status: string) {
  return {
    id: paddleSubscription,
    status,
    customer_id: paddleCustomer,
    address_id: ulidish('add_', 'address'),
    business_id: null,
    currency_code: 'USD',
    created_at: iso(3),
    updated_at: iso(4),
    started_at: iso(3),
    first_billed_at: iso(3),
    next_billed_at: status === 'canceled' ? null : iso(2592000),
    paused_at: null,
    canceled_at: status === 'canceled' ? iso(86400) : null,
    collection_mode: 'automatic',
    billing_details: null,
    current_billing_period: status === 'canceled' ? null : { starts_at: iso(0), ends_at: iso(2592000) },
    billing_cycle: { interval: 'month', frequency: 1 },
    scheduled_change: null,
    items: [{ status: 'active', quantity: 1, recurring: true, created_at: iso(3), updated_at: iso(3), previously_billed_at: iso(3), next_billed_at: iso(2592000), trial_dates: null, price: paddlePrice }],
    custom_data: { user_id: '1042' },
    discount: null,
  };
}
export const paddle: HandProvider = {
  ...base,
  title: 'Paddle',
  defaultEvent: 'transaction.completed',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    paddleEvent('transaction.completed', paddleTransactionData('completed'), 6),
    paddleEvent('transaction.paid', paddleTransactionData('paid'), 3),
    paddleEvent('transaction.payment_failed', { ...paddleTransactionData('ready'), payments: [{ amount: '3240', status: 'error', error_code: 'declined', method_details: { type: 'card', card: { type: 'visa', last4: '0002' } }, created_at: iso(1) }] }, 2),
    paddleEvent('subscription.created', { ...paddleSubscriptionData('active'), transaction_id: paddleTransaction }, 7),
    paddleEvent('subscription.updated', paddleSubscriptionData('past_due'), 2592100),
    paddleEvent('subscription.canceled', paddleSubscriptionData('canceled'), 86400),
    paddleEvent('customer.created', { id: paddleCustomer, name: 'Jenny Rosen', email: 'jenny.rosen@example.com', marketing_consent: false, status: 'active', custom_data: null, locale: 'en', created_at: iso(-60), updated_at: iso(-60), import_meta: null }, -59),
  ],
};

// ---------------------------------------------------------------- Square (body: event_id, type)
const squareMerchant = '6SSW7HV8K2ST5';
const squareLocation = 'S8GWD5R9QB376';
const squarePayment = token('', 'squarepayment', 29);
const squareOrder = token('', 'squareorder', 29);
function squareEvent(type: string, objectType: string, objectId: string, object: unknown, offset: number): HandSample {
  const id = uuid(`square${type}`);
  return { event: type, id, body: { merchant_id: squareMerchant, type, event_id: id, created_at: iso(offset), data: { type: objectType, id: objectId, object } } };
}
const squarePaymentObject = (status: string) => ({
  payment: {
    id: squarePayment,
    created_at: iso(0),
    updated_at: iso(2),
    amount_money: { amount: 2500, currency: 'USD' },
    total_money: { amount: 2500, currency: 'USD' },
    approved_money: { amount: 2500, currency: 'USD' },
    status,
    source_type: 'CARD',
    card_details: { status: status === 'COMPLETED' ? 'CAPTURED' : 'AUTHORIZED', card: { card_brand: 'VISA', last_4: '1111', exp_month: 12, exp_year: 2030, fingerprint: 'sq-1-' + token('', 'sqfp', 40), card_type: 'CREDIT', bin: '411111' }, entry_method: 'KEYED', cvv_status: 'CVV_ACCEPTED', avs_status: 'AVS_ACCEPTED' },
    location_id: squareLocation,
    order_id: squareOrder,
    receipt_number: squarePayment.slice(0, 4),
    receipt_url: `https://squareupsandbox.com/receipt/preview/${squarePayment}`,
    delay_action: 'CANCEL',
    version: status === 'COMPLETED' ? 4 : 1,
  },
});
export const square: HandProvider = {
  ...base,
  title: 'Square',
  defaultEvent: 'payment.updated',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    squareEvent('payment.created', 'payment', squarePayment, squarePaymentObject('APPROVED'), 1),
    squareEvent('payment.updated', 'payment', squarePayment, squarePaymentObject('COMPLETED'), 3),
    squareEvent('refund.created', 'refund', `${squarePayment}_${token('', 'sqrefund', 30)}`, { refund: { id: `${squarePayment}_${token('', 'sqrefund', 30)}`, amount_money: { amount: 2500, currency: 'USD' }, created_at: iso(600), location_id: squareLocation, order_id: squareOrder, payment_id: squarePayment, reason: 'Customer request', status: 'PENDING', updated_at: iso(600), version: 1 } }, 600),
    squareEvent('order.created', 'order_created', squareOrder, { order_created: { created_at: iso(-5), location_id: squareLocation, order_id: squareOrder, state: 'OPEN', version: 1 } }, -5),
    squareEvent('customer.created', 'customer', token('', 'sqcustomer', 26), { customer: { id: token('', 'sqcustomer', 26), created_at: iso(-86400), updated_at: iso(-86400), given_name: 'Jenny', family_name: 'Rosen', email_address: 'jenny.rosen@example.com', preferences: { email_unsubscribed: false }, creation_source: 'THIRD_PARTY', version: 0 } }, -86400),
  ],
};

// ---------------------------------------------------------------- Razorpay (body: event; header: X-Razorpay-Event-Id)
const razorpayPayment = token('pay_', 'rzppay', 14);
const razorpayOrder = token('order_', 'rzporder', 14);
function razorpayPaymentEntity(status: string) {
  return { id: razorpayPayment, entity: 'payment', amount: 50000, currency: 'INR', status, order_id: razorpayOrder, invoice_id: null, international: false, method: 'upi', amount_refunded: 0, refund_status: null, captured: status === 'captured', description: 'Pro plan', card_id: null, bank: null, wallet: null, vpa: 'success@razorpay', email: 'gaurav.kumar@example.com', contact: '+919000090000', notes: { user_id: '1042' }, fee: status === 'captured' ? 1000 : null, tax: status === 'captured' ? 0 : null, error_code: status === 'failed' ? 'BAD_REQUEST_ERROR' : null, error_description: status === 'failed' ? 'Payment failed' : null, error_source: status === 'failed' ? 'customer' : null, error_step: status === 'failed' ? 'payment_authorization' : null, error_reason: status === 'failed' ? 'payment_failed' : null, acquirer_data: { rrn: digits('rrn', 12) }, created_at: T0 };
}
function razorpayEvent(type: string, payload: Record<string, unknown>): HandSample {
  return { event: type, body: { entity: 'event', account_id: 'acc_BFQ7uQEaa7j2z7', event: type, contains: Object.keys(payload), payload, created_at: T0 + 5 } };
}
export const razorpay: HandProvider = {
  ...base,
  title: 'Razorpay',
  defaultEvent: 'payment.captured',
  typeIn: 'body',
  idIn: 'header',
  samples: [
    razorpayEvent('payment.authorized', { payment: { entity: razorpayPaymentEntity('authorized') } }),
    razorpayEvent('payment.captured', { payment: { entity: razorpayPaymentEntity('captured') } }),
    razorpayEvent('payment.failed', { payment: { entity: razorpayPaymentEntity('failed') } }),
    razorpayEvent('order.paid', { payment: { entity: razorpayPaymentEntity('captured') }, order: { entity: { id: razorpayOrder, entity: 'order', amount: 50000, amount_paid: 50000, amount_due: 0, currency: 'INR', receipt: 'rcpt_1043', offer_id: null, status: 'paid', attempts: 1, notes: { user_id: '1042' }, created_at: T0 - 30 } } }),
    razorpayEvent('refund.processed', { refund: { entity: { id: token('rfnd_', 'rzprefund', 14), entity: 'refund', amount: 50000, currency: 'INR', payment_id: razorpayPayment, notes: {}, receipt: null, acquirer_data: { rrn: digits('rrn2', 12) }, created_at: T0 + 600, batch_id: null, status: 'processed', speed_processed: 'normal', speed_requested: 'normal' } }, payment: { entity: { ...razorpayPaymentEntity('captured'), amount_refunded: 50000, refund_status: 'full', status: 'refunded' } } }),
  ],
};

// ---------------------------------------------------------------- Coinbase Commerce (body: event.id, event.type)
function coinbaseEvent(type: string, timeline: Array<{ status: string; time: string }>): HandSample {
  const id = uuid(`coinbase${type}`);
  return {
    event: type,
    id,
    body: {
      attempt_number: 1,
      event: {
        api_version: '2018-03-22',
        created_at: iso(60),
        data: {
          id: uuid('coinbasecharge'),
          code: 'HKC7Q2XJ',
          name: 'Pro plan',
          description: 'One month of Pro',
          hosted_url: 'https://commerce.coinbase.com/pay/' + uuid('coinbasecharge'),
          created_at: iso(0),
          expires_at: iso(3600),
          pricing_type: 'fixed_price',
          pricing: { local: { amount: '49.00', currency: 'USD' }, settlement: { amount: '49.00', currency: 'USDC' } },
          metadata: { user_id: '1042' },
          payments: [],
          timeline,
          web3_data: { contract_addresses: { '8453': '0x03059433bcdb6144624cc2443159d9445c32b7a8' } },
        },
        id,
        resource: 'event',
        type,
      },
      id: uuid(`coinbasenotification${type}`),
      scheduled_for: iso(60),
    },
  };
}
export const coinbase: HandProvider = {
  ...base,
  title: 'Coinbase Commerce',
  defaultEvent: 'charge:confirmed',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    coinbaseEvent('charge:created', [{ status: 'NEW', time: iso(0) }]),
    coinbaseEvent('charge:pending', [{ status: 'NEW', time: iso(0) }, { status: 'SIGNED', time: iso(40) }, { status: 'PENDING', time: iso(45) }]),
    coinbaseEvent('charge:confirmed', [{ status: 'NEW', time: iso(0) }, { status: 'SIGNED', time: iso(40) }, { status: 'PENDING', time: iso(45) }, { status: 'COMPLETED', time: iso(60) }]),
    coinbaseEvent('charge:failed', [{ status: 'NEW', time: iso(0) }, { status: 'EXPIRED', time: iso(3600) }]),
  ],
};

// ---------------------------------------------------------------- Lemon Squeezy (header X-Event-Name; body meta.event_name)
function lemonEvent(type: string, resource: string, id: string, attributes: Record<string, unknown>): HandSample {
  return {
    event: type,
    body: {
      meta: { test_mode: true, event_name: type, custom_data: { user_id: '1042' }, webhook_id: uuid(`lemon${type}`) },
      data: { type: resource, id, attributes, relationships: { store: { links: { related: `https://api.lemonsqueezy.com/v1/${resource}/${id}/store`, self: `https://api.lemonsqueezy.com/v1/${resource}/${id}/relationships/store` } } }, links: { self: `https://api.lemonsqueezy.com/v1/${resource}/${id}` } },
    },
  };
}
const lemonOrder = { store_id: 12345, customer_id: 678901, identifier: uuid('lemonorder'), order_number: 1043, user_name: 'Jenny Rosen', user_email: 'jenny.rosen@example.com', currency: 'USD', currency_rate: '1.0000', subtotal: 4900, discount_total: 0, tax: 0, total: 4900, subtotal_usd: 4900, total_usd: 4900, tax_name: null, tax_rate: '0.00', status: 'paid', status_formatted: 'Paid', refunded: false, refunded_at: null, first_order_item: { id: 2345678, order_id: 3456789, product_id: 45678, variant_id: 56789, product_name: 'Pro', variant_name: 'Monthly', price: 4900, created_at: iso(0), updated_at: iso(0), test_mode: true }, urls: { receipt: 'https://app.lemonsqueezy.com/my-orders/' + uuid('lemonreceipt') }, created_at: iso(0), updated_at: iso(0), test_mode: true };
const lemonSubscription = (status: string) => ({ store_id: 12345, customer_id: 678901, order_id: 3456789, order_item_id: 2345678, product_id: 45678, variant_id: 56789, product_name: 'Pro', variant_name: 'Monthly', user_name: 'Jenny Rosen', user_email: 'jenny.rosen@example.com', status, status_formatted: status[0]!.toUpperCase() + status.slice(1), card_brand: 'visa', card_last_four: '4242', pause: null, cancelled: status === 'cancelled', trial_ends_at: null, billing_anchor: 15, renews_at: iso(2592000), ends_at: status === 'cancelled' ? iso(2592000) : null, created_at: iso(0), updated_at: iso(10), test_mode: true });
export const lemonsqueezy: HandProvider = {
  ...base,
  title: 'Lemon Squeezy',
  defaultEvent: 'order_created',
  typeIn: 'both',
  idIn: 'none',
  samples: [
    lemonEvent('order_created', 'orders', '3456789', lemonOrder),
    lemonEvent('order_refunded', 'orders', '3456789', { ...lemonOrder, status: 'refunded', status_formatted: 'Refunded', refunded: true, refunded_at: iso(86400) }),
    lemonEvent('subscription_created', 'subscriptions', '234567', lemonSubscription('active')),
    lemonEvent('subscription_updated', 'subscriptions', '234567', lemonSubscription('past_due')),
    lemonEvent('subscription_cancelled', 'subscriptions', '234567', lemonSubscription('cancelled')),
    lemonEvent('subscription_payment_success', 'subscription-invoices', '345678', { store_id: 12345, subscription_id: 234567, customer_id: 678901, user_name: 'Jenny Rosen', user_email: 'jenny.rosen@example.com', billing_reason: 'renewal', card_brand: 'visa', card_last_four: '4242', currency: 'USD', status: 'paid', status_formatted: 'Paid', refunded: false, subtotal: 4900, tax: 0, total: 4900, created_at: iso(2592000), updated_at: iso(2592000), test_mode: true }),
  ],
};

// ---------------------------------------------------------------- WooCommerce (headers X-WC-Webhook-Topic / -Delivery-ID; body: the REST resource)
const wooOrder = (status: string) => ({
  id: 727,
  parent_id: 0,
  status,
  currency: 'USD',
  version: '9.4.2',
  prices_include_tax: false,
  date_created: iso(0).replace('.000Z', ''),
  date_modified: iso(30).replace('.000Z', ''),
  discount_total: '0.00',
  discount_tax: '0.00',
  shipping_total: '10.00',
  shipping_tax: '0.00',
  cart_tax: '1.35',
  total: '29.35',
  total_tax: '1.35',
  customer_id: 26,
  order_key: 'wc_order_' + token('', 'wookey', 13),
  billing: { first_name: 'John', last_name: 'Doe', company: '', address_1: '969 Market', address_2: '', city: 'San Francisco', state: 'CA', postcode: '94103', country: 'US', email: 'john.doe@example.com', phone: '(555) 555-5555' },
  shipping: { first_name: 'John', last_name: 'Doe', company: '', address_1: '969 Market', address_2: '', city: 'San Francisco', state: 'CA', postcode: '94103', country: 'US' },
  payment_method: 'stripe',
  payment_method_title: 'Credit card',
  transaction_id: status === 'processing' || status === 'completed' ? token('ch_', 'woocharge', 24) : '',
  customer_note: '',
  date_paid: status === 'pending' ? null : iso(20).replace('.000Z', ''),
  date_completed: status === 'completed' ? iso(86400).replace('.000Z', '') : null,
  line_items: [{ id: 315, name: 'Woo Single #1', product_id: 93, variation_id: 0, quantity: 2, tax_class: '', subtotal: '6.00', subtotal_tax: '0.45', total: '6.00', total_tax: '0.45', sku: '', price: 3, meta_data: [] }],
  shipping_lines: [{ id: 317, method_title: 'Flat Rate', method_id: 'flat_rate', total: '10.00', total_tax: '0.00' }],
  meta_data: [],
});
function wooEvent(topic: string, body: unknown): HandSample {
  return { event: topic, body };
}
export const woocommerce: HandProvider = {
  ...base,
  title: 'WooCommerce',
  defaultEvent: 'order.created',
  typeIn: 'header',
  idIn: 'header',
  samples: [
    wooEvent('order.created', wooOrder('processing')),
    wooEvent('order.updated', wooOrder('completed')),
    wooEvent('order.deleted', { id: 727 }),
    wooEvent('product.created', { id: 794, name: 'Premium Quality', slug: 'premium-quality-19', permalink: 'https://example.com/product/premium-quality-19/', date_created: iso(0).replace('.000Z', ''), type: 'simple', status: 'publish', featured: false, description: '<p>Pellentesque habitant morbi tristique senectus.</p>', sku: '', price: '21.99', regular_price: '21.99', sale_price: '', on_sale: false, purchasable: true, total_sales: 0, manage_stock: false, stock_quantity: null, stock_status: 'instock', categories: [{ id: 9, name: 'Clothing', slug: 'clothing' }], images: [] }),
    wooEvent('customer.created', { id: 26, date_created: iso(0).replace('.000Z', ''), email: 'john.doe@example.com', first_name: 'John', last_name: 'Doe', role: 'customer', username: 'john.doe', billing: wooOrder('pending').billing, shipping: wooOrder('pending').shipping, is_paying_customer: false, avatar_url: 'https://secure.gravatar.com/avatar/8eb1b522f60d11fa897de1dc6351b7e8?s=96', meta_data: [] }),
  ],
};

// ---------------------------------------------------------------- Plaid (body: webhook_type + webhook_code)
const plaidItem = token('', 'plaiditem', 37);
function plaidEvent(type: string, code: string, extra: Record<string, unknown>): HandSample {
  return { event: `${type}.${code}`, body: { webhook_type: type, webhook_code: code, item_id: plaidItem, ...extra, environment: 'sandbox' } };
}
export const plaid: HandProvider = {
  ...base,
  title: 'Plaid',
  defaultEvent: 'TRANSACTIONS.SYNC_UPDATES_AVAILABLE',
  typeIn: 'body',
  idIn: 'none',
  samples: [
    plaidEvent('TRANSACTIONS', 'SYNC_UPDATES_AVAILABLE', { initial_update_complete: true, historical_update_complete: false }),
    plaidEvent('ITEM', 'ERROR', { error: { error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED', error_code_reason: null, error_message: "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state", display_message: null, request_id: token('', 'plaidreq', 15), causes: [], status: 400, documentation_url: 'https://plaid.com/docs/errors/item/#item_login_required', suggested_action: null } }),
    plaidEvent('ITEM', 'PENDING_EXPIRATION', { consent_expiration_time: iso(604800).replace('.000Z', 'Z') }),
    plaidEvent('AUTH', 'DEFAULT_UPDATE', { account_id: token('', 'plaidaccount', 37), account_ids_with_new_auth: [], account_ids_with_updated_auth: { [token('', 'plaidaccount', 37)]: ['ACCOUNT_NUMBER'] } }),
    plaidEvent('HOLDINGS', 'DEFAULT_UPDATE', { error: null, new_holdings: 19, updated_holdings: 0 }),
  ],
};

