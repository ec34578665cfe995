/**
 * More events for the providers whose first samples live in `fixtures/<scheme>/` (those come first
 * in the catalog and keep their bytes): Shopify topics, Slack events and interactions, Twilio
 * callbacks, Standard Webhooks. Documented shapes, fake ids.
 */
import { HAND_MADE, HAND_MADE_LICENCE, T0, digits, hex, iso, token, type HandProvider } from './kit.js';

const base = { source: HAND_MADE, licence: HAND_MADE_LICENCE, style: 'compact' as const };
const shopDate = (offset: number) => new Date((T0 + offset) * 1000).toISOString().replace('.000Z', '-00:00');

// ---------------------------------------------------------------- Shopify (header X-Shopify-Topic; body: the REST resource)
const shopifyCustomer = { id: 115310627314723954, email: 'john@example.com', created_at: shopDate(-86400), updated_at: shopDate(0), first_name: 'John', last_name: 'Smith', state: 'disabled', note: null, verified_email: true, multipass_identifier: null, tax_exempt: false, phone: null, currency: 'USD', tax_exemptions: [], admin_graphql_api_id: 'gid://shopify/Customer/115310627314723954', default_address: { id: 715243470612851245, customer_id: 115310627314723954, first_name: null, last_name: null, company: null, address1: '123 Elm St.', address2: null, city: 'Ottawa', province: 'Ontario', country: 'Canada', zip: 'K2H7A8', phone: '123-123-1234', name: '', province_code: 'ON', country_code: 'CA', country_name: 'Canada', default: true } };
const shopifyProduct = { admin_graphql_api_id: 'gid://shopify/Product/788032119674292922', body_html: 'An example T-Shirt', created_at: null, handle: 'example-t-shirt', id: 788032119674292922, product_type: 'Shirts', published_at: shopDate(0), template_suffix: null, title: 'Example T-Shirt', updated_at: shopDate(0), vendor: 'Acme', status: 'active', published_scope: 'web', tags: 'example, mens, t-shirt', variants: [{ admin_graphql_api_id: 'gid://shopify/ProductVariant/642667041472713922', barcode: null, compare_at_price: '24.99', created_at: shopDate(0), id: 642667041472713922, inventory_policy: 'deny', position: 0, price: '19.99', product_id: 788032119674292922, sku: 'example-shirt-s', taxable: true, title: 'Small', updated_at: shopDate(0), option1: 'Small', option2: null, option3: null, image_id: null, inventory_item_id: null, inventory_quantity: 75, old_inventory_quantity: 75 }], options: [], images: [], image: null, media: [], variant_gids: [{ admin_graphql_api_id: 'gid://shopify/ProductVariant/642667041472713922', updated_at: shopDate(0) }], has_variants_that_requires_components: false, category: null };
const shopifyOrderLite = { id: 820982911946154508, admin_graphql_api_id: 'gid://shopify/Order/820982911946154508', app_id: null, browser_ip: null, buyer_accepts_marketing: true, cancel_reason: null, cancelled_at: null, cart_token: null, checkout_id: null, checkout_token: null, closed_at: null, confirmation_number: null, confirmed: false, contact_email: 'jon@example.com', created_at: shopDate(0), currency: 'USD', current_subtotal_price: '398.00', current_total_price: '403.00', current_total_tax: '0.00', email: 'jon@example.com', financial_status: 'paid', fulfillment_status: null, name: '#9999', note: null, number: 234, order_number: 1234, phone: null, presentment_currency: 'USD', processed_at: shopDate(0), subtotal_price: '388.00', tags: 'tag1, tag2', test: true, total_price: '403.00', total_tax: '0.00', updated_at: shopDate(60), user_id: null, customer: { id: 115310627314723954, email: 'john@example.com', first_name: 'John', last_name: 'Smith' }, line_items: [{ id: 866550311766439020, admin_graphql_api_id: 'gid://shopify/LineItem/866550311766439020', fulfillable_quantity: 1, fulfillment_status: null, gift_card: false, grams: 567, name: 'IPod Nano - 8GB', price: '199.00', product_exists: true, product_id: 632910392, quantity: 1, requires_shipping: true, sku: 'IPOD2008PINK', taxable: true, title: 'IPod Nano - 8GB', total_discount: '0.00', variant_id: 808950810, variant_title: null, vendor: null }], refunds: [], shipping_lines: [{ id: 271878346596884015, code: null, price: '10.00', source: 'shopify', title: 'Generic Shipping' }] };
export const shopify: HandProvider = {
  ...base,
  title: 'Shopify',
  contentType: 'application/json',
  defaultEvent: 'orders/create',
  typeIn: 'header',
  idIn: 'header',
  samples: [
    { event: 'orders/paid', body: shopifyOrderLite },
    { event: 'orders/updated', body: { ...shopifyOrderLite, note: 'Leave at the door' } },
    { event: 'orders/cancelled', body: { ...shopifyOrderLite, cancel_reason: 'customer', cancelled_at: shopDate(3600), financial_status: 'refunded' } },
    { event: 'orders/fulfilled', body: { ...shopifyOrderLite, fulfillment_status: 'fulfilled' } },
    { event: 'products/create', body: shopifyProduct },
    { event: 'products/update', body: { ...shopifyProduct, title: 'Example T-Shirt (2026)' } },
    { event: 'customers/create', body: shopifyCustomer },
    { event: 'refunds/create', body: { id: 509562969, order_id: 820982911946154508, created_at: shopDate(7200), note: 'Things were damaged', user_id: 548380009, processed_at: shopDate(7200), restock: true, duties: [], total_duties_set: { shop_money: { amount: '0.00', currency_code: 'USD' }, presentment_money: { amount: '0.00', currency_code: 'USD' } }, return: null, admin_graphql_api_id: 'gid://shopify/Refund/509562969', refund_line_items: [], transactions: [{ id: 389404469, order_id: 820982911946154508, kind: 'refund', gateway: 'bogus', status: 'success', message: 'Bogus Gateway: Forced success', created_at: shopDate(7200), test: true, amount: '199.00', currency: 'USD', parent_id: 801038806 }], order_adjustments: [] } },
    { event: 'app/uninstalled', body: { id: 548380009, name: 'Super Toys', email: 'super@supertoys.com', domain: null, province: 'Tennessee', country: 'US', address1: '190 MacLaren Street', zip: '37178', city: 'Houston', source: null, phone: '3213213210', latitude: null, longitude: null, primary_locale: 'en', address2: null, created_at: null, updated_at: null, country_code: 'US', country_name: 'United States', currency: 'USD', customer_email: 'super@supertoys.com', timezone: '(GMT-05:00) Eastern Time (US & Canada)', iana_timezone: null, shop_owner: 'John Smith', money_format: '${{amount}}', money_with_currency_format: '${{amount}} USD', weight_unit: 'kg', province_code: 'TN', taxes_included: null, auto_configure_tax_inclusivity: null, tax_shipping: null, county_taxes: null, plan_display_name: 'Shopify Plus', plan_name: 'enterprise', has_discounts: false, has_gift_cards: true, myshopify_domain: null, google_apps_domain: null, google_apps_login_enabled: null, money_in_emails_format: '${{amount}}', money_with_currency_in_emails_format: '${{amount}} USD', eligible_for_payments: true, requires_extra_payments_agreement: false, password_enabled: null, has_storefront: true, finances: true, primary_location_id: 655441491, checkout_api_supported: true, multi_location_enabled: true, setup_required: false, pre_launch_enabled: false, enabled_presentment_currencies: ['USD'], transactional_sms_disabled: false, marketing_sms_consent_enabled_at_checkout: false } },
  ],
};

// ---------------------------------------------------------------- Slack (body type; event_id; form-encoded interactions and commands)
const slackTeam = 'T0' + token('', 'slackteam', 8).toUpperCase();
const slackApp = 'A0' + token('', 'slackapp', 8).toUpperCase();
const slackUser = 'U0' + token('', 'slackuser', 8).toUpperCase();
const slackChannel = 'C0' + token('', 'slackchannel', 8).toUpperCase();
function slackCallback(name: string, event: Record<string, unknown>, offset: number) {
  const id = 'Ev0' + token('', `slackev${name}`, 8).toUpperCase();
  return { event: `event_callback.${name}`, id, body: { token: 'XXYYZZ', team_id: slackTeam, context_team_id: slackTeam, context_enterprise_id: null, api_app_id: slackApp, event: { ...event, event_ts: `${T0 + offset}.000200` }, type: 'event_callback', event_id: id, event_time: T0 + offset, authorizations: [{ enterprise_id: null, team_id: slackTeam, user_id: 'U0' + token('', 'slackbot', 8).toUpperCase(), is_bot: true, is_enterprise_install: false }], is_ext_shared_channel: false, event_context: '4-' + token('', `slackctx${name}`, 60) } };
}
const slackForm = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const slack: HandProvider = {
  ...base,
  title: 'Slack',
  contentType: 'application/json',
  defaultEvent: 'event_callback.message',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    slackCallback('app_mention', { type: 'app_mention', user: slackUser, text: `<@U0${token('', 'slackbot', 8).toUpperCase()}> deploy staging`, ts: `${T0 + 20}.000200`, channel: slackChannel }, 20),
    slackCallback('reaction_added', { type: 'reaction_added', user: slackUser, reaction: 'thumbsup', item_user: slackUser, item: { type: 'message', channel: slackChannel, ts: `${T0}.000100` } }, 30),
    slackCallback('team_join', { type: 'team_join', user: { id: 'U0' + token('', 'slacknew', 8).toUpperCase(), team_id: slackTeam, name: 'jenny', real_name: 'Jenny Rosen', tz: 'Europe/London', is_bot: false, profile: { display_name: 'jenny', email: 'jenny.rosen@example.com' } } }, 40),
    slackCallback('app_home_opened', { type: 'app_home_opened', user: slackUser, channel: 'D0' + token('', 'slackdm', 8).toUpperCase(), tab: 'home' }, 50),
    {
      event: 'block_actions',
      contentType: 'application/x-www-form-urlencoded',
      body: slackForm({ payload: JSON.stringify({ type: 'block_actions', user: { id: slackUser, username: 'jenny', name: 'jenny', team_id: slackTeam }, api_app_id: slackApp, token: 'XXYYZZ', container: { type: 'message', message_ts: `${T0}.000100`, channel_id: slackChannel, is_ephemeral: false }, trigger_id: `${digits('slacktrigger', 13)}.${digits('slackteamnum', 12)}.${hex('slacktrig', 32)}`, team: { id: slackTeam, domain: 'octo-org' }, channel: { id: slackChannel, name: 'deploys' }, response_url: `https://hooks.slack.com/actions/${slackTeam}/${digits('slackresp', 13)}/${token('', 'slackresptoken', 24)}`, actions: [{ action_id: 'approve_deploy', block_id: 'deploy', text: { type: 'plain_text', text: 'Approve', emoji: true }, value: 'staging', style: 'primary', type: 'button', action_ts: `${T0 + 60}.123456` }] }) }),
    },
    {
      event: 'slash_command',
      contentType: 'application/x-www-form-urlencoded',
      body: slackForm({ token: 'XXYYZZ', team_id: slackTeam, team_domain: 'octo-org', channel_id: slackChannel, channel_name: 'deploys', user_id: slackUser, user_name: 'jenny', command: '/deploy', text: 'staging', api_app_id: slackApp, is_enterprise_install: 'false', response_url: `https://hooks.slack.com/commands/${slackTeam}/${digits('slackcmd', 13)}/${token('', 'slackcmdtoken', 24)}`, trigger_id: `${digits('slacktrigger2', 13)}.${digits('slackteamnum', 12)}.${hex('slacktrig2', 32)}` }),
    },
  ],
};

// ---------------------------------------------------------------- Twilio (form posts; the sid is the id)
const twilioAccount = 'AC' + hex('twilioaccount', 32);
function twilioForm(event: string, fields: Record<string, string>, id: string) {
  return { event, id, body: new URLSearchParams(fields).toString() };
}
const statusSid = 'SM' + hex('twiliostatus', 32);
const callSid = 'CA' + hex('twiliocall', 32);
export const twilio: HandProvider = {
  ...base,
  title: 'Twilio',
  contentType: 'application/x-www-form-urlencoded; charset=UTF-8',
  defaultEvent: 'message.received',
  typeIn: 'none',
  idIn: 'body',
  samples: [
    twilioForm('message.delivered', { SmsSid: statusSid, SmsStatus: 'delivered', MessageStatus: 'delivered', To: '+14155550100', MessageSid: statusSid, AccountSid: twilioAccount, From: '+12125550123', ApiVersion: '2010-04-01' }, statusSid),
    twilioForm('message.failed', { ErrorCode: '30003', SmsSid: statusSid, SmsStatus: 'failed', MessageStatus: 'failed', To: '+14155550100', MessageSid: statusSid, AccountSid: twilioAccount, From: '+12125550123', ApiVersion: '2010-04-01' }, statusSid),
    twilioForm('call.incoming', { AccountSid: twilioAccount, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'ringing', Called: '+14155550100', CalledCity: 'SAN FRANCISCO', CalledCountry: 'US', CalledState: 'CA', CalledZip: '94107', Caller: '+12125550123', CallerCity: 'NEW YORK', CallerCountry: 'US', CallerState: 'NY', CallerZip: '10001', Direction: 'inbound', From: '+12125550123', To: '+14155550100' }, callSid),
    twilioForm('call.completed', { AccountSid: twilioAccount, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'completed', CallDuration: '42', Duration: '1', Direction: 'inbound', From: '+12125550123', To: '+14155550100', Timestamp: new Date((T0 + 42) * 1000).toUTCString().replace('GMT', '+0000'), SequenceNumber: '0', CallbackSource: 'call-progress-events' }, callSid),
  ],
};

// ---------------------------------------------------------------- Standard Webhooks (body type, timestamp, data; id in webhook-id)
export const standard: HandProvider = {
  ...base,
  title: 'Standard Webhooks',
  contentType: 'application/json',
  defaultEvent: 'invoice.paid',
  typeIn: 'body',
  idIn: 'header',
  samples: [
    { event: 'user.deleted', body: { type: 'user.deleted', timestamp: iso(3600), data: { id: 'usr_' + token('', 'stduser', 22), deleted: true } } },
    { event: 'subscription.renewed', body: { type: 'subscription.renewed', timestamp: iso(2592000), data: { id: 'sub_' + token('', 'stdsub', 22), customer_id: 'cus_' + token('', 'stdcus', 22), plan: 'pro', period_start: iso(2592000), period_end: iso(5184000), amount: 4900, currency: 'USD' } } },
  ],
};
