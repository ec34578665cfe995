/**
 * Hand-made samples for email, messaging, support, CRM, identity, forms and cloud providers, in
 * each provider's documented webhook shape; every id is fake.
 */
import { HAND_MADE, HAND_MADE_LICENCE, T0, digits, hex, iso, isoSeconds, token, uuid, type HandProvider, type HandSample } from './kit.js';

const base = { source: HAND_MADE, licence: HAND_MADE_LICENCE, contentType: 'application/json', style: 'compact' as const };

// ---------------------------------------------------------------- SendGrid Event Webhook (a JSON array of events; sg_event_id)
function sendgridEvent(event: string, extra: Record<string, unknown>): HandSample {
  const id = token('', `sendgrid${event}`, 22);
  return {
    event,
    id,
    body: [{ email: 'jenny.rosen@example.com', timestamp: T0 + 12, 'smtp-id': `<${hex('sgsmtp', 13)}.dfd.64b469@ismtpd-555>`, event, category: ['welcome'], sg_event_id: id, sg_message_id: `${token('', 'sgmsg', 22)}.recvd-5f8b7b9c8-2xq7m-1-67A0B8C5-1.0`, ...extra }],
  };
}
export const sendgrid: HandProvider = {
  ...base,
  title: 'SendGrid',
  defaultEvent: 'delivered',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    sendgridEvent('processed', { send_at: 0 }),
    sendgridEvent('delivered', { response: '250 2.0.0 OK  1768471212 d2e1a72fcca58-7f6e5d4c3b2a1.19 - gsmtp', tls: 1, ip: '168.1.1.1' }),
    sendgridEvent('open', { useragent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)', ip: '255.255.255.255', sg_machine_open: false }),
    sendgridEvent('click', { useragent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36', ip: '255.255.255.255', url: 'https://example.com/welcome', url_offset: { index: 0, type: 'html' } }),
    sendgridEvent('bounce', { reason: '550 5.1.1 The email account that you tried to reach does not exist.', status: '5.1.1', type: 'bounce', bounce_classification: 'Invalid Address', ip: '168.1.1.1', tls: 1 }),
    sendgridEvent('dropped', { reason: 'Bounced Address', status: '5.0.0' }),
  ],
};

// ---------------------------------------------------------------- Mailgun (signature and event-data in the body)
function mailgunEvent(event: string, extra: Record<string, unknown>): HandSample {
  const id = token('', `mailgun${event}`, 22);
  return {
    event,
    id,
    body: {
      signature: { timestamp: String(T0 + 15), token: hex(`mailguntoken${event}`, 50), signature: hex(`mailgunsig${event}`, 64) },
      'event-data': { id, timestamp: T0 + 14.329574, 'log-level': event === 'failed' ? 'error' : 'info', event, recipient: 'jenny.rosen@example.com', 'recipient-domain': 'example.com', tags: ['welcome'], campaigns: [], 'user-variables': { user_id: '1042' }, flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false }, message: { headers: { to: 'jenny.rosen@example.com', 'message-id': `${digits('mailgunmid', 14)}.1.${hex('mailgunmid', 16).toUpperCase()}@mg.example.com`, from: 'Acme <hello@mg.example.com>', subject: 'Welcome to Acme' }, attachments: [], size: 4211 }, ...extra },
    },
  };
}
export const mailgun: HandProvider = {
  ...base,
  title: 'Mailgun',
  defaultEvent: 'delivered',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    mailgunEvent('accepted', { method: 'HTTP', envelope: { sender: 'hello@mg.example.com', targets: 'jenny.rosen@example.com', transport: 'smtp' } }),
    mailgunEvent('delivered', { envelope: { transport: 'smtp', sender: 'hello@mg.example.com', 'sending-ip': '209.61.154.250', targets: 'jenny.rosen@example.com' }, 'delivery-status': { tls: true, 'mx-host': 'smtp-in.example.com', code: 250, description: '', 'session-seconds': 0.4331989288330078, utf8: true, 'attempt-no': 1, message: 'OK', 'certificate-verified': true } }),
    mailgunEvent('opened', { geolocation: { country: 'US', region: 'CA', city: 'San Francisco' }, ip: '50.56.129.169', 'client-info': { 'client-type': 'browser', 'client-os': 'OS X', 'device-type': 'desktop', 'client-name': 'Chrome', 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36' } }),
    mailgunEvent('clicked', { url: 'https://example.com/welcome', geolocation: { country: 'US', region: 'CA', city: 'San Francisco' }, ip: '50.56.129.169' }),
    mailgunEvent('failed', { severity: 'permanent', reason: 'suppress-bounce', 'delivery-status': { 'attempt-no': 1, message: '', code: 605, description: 'Not delivering to previously bounced address', 'session-seconds': 0 } }),
    mailgunEvent('complained', {}),
  ],
};

// ---------------------------------------------------------------- Postmark (RecordType in the body; basic auth)
const postmarkMessage = uuid('postmarkmessage');
export const postmark: HandProvider = {
  ...base,
  title: 'Postmark',
  defaultEvent: 'Delivery',
  typeIn: 'body',
  idIn: 'none',
  samples: [
    { event: 'Delivery', body: { RecordType: 'Delivery', ServerID: 23, MessageStream: 'outbound', MessageID: postmarkMessage, Recipient: 'jenny.rosen@example.com', Tag: 'welcome', DeliveredAt: iso(12).replace('.000Z', '.9070259Z'), Details: 'smtp;250 2.0.0 OK', Metadata: { user_id: '1042' } } },
    { event: 'Bounce', body: { RecordType: 'Bounce', ID: 4323372036854775807, Type: 'HardBounce', TypeCode: 1, Name: 'Hard bounce', Tag: 'welcome', MessageID: postmarkMessage, ServerID: 23, MessageStream: 'outbound', Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).', Details: "smtp;550 5.1.1 The email account that you tried to reach does not exist.", Email: 'nobody@example.com', From: 'hello@example.com', BouncedAt: iso(12), DumpAvailable: true, Inactive: true, CanActivate: true, Subject: 'Welcome to Acme', Content: '', Metadata: { user_id: '1042' } } },
    { event: 'Open', body: { RecordType: 'Open', MessageStream: 'outbound', FirstOpen: true, Client: { Name: 'Chrome 120.0', Company: 'Google', Family: 'Chrome' }, OS: { Name: 'OS X 14', Company: 'Apple Computer, Inc.', Family: 'OS X' }, Platform: 'Desktop', UserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36', ReadSeconds: 5, Geo: { CountryISOCode: 'US', Country: 'United States', RegionISOCode: 'CA', Region: 'California', City: 'San Francisco', Zip: '94107', Coords: '37.7615,-122.3941', IP: '203.0.113.7' }, MessageID: postmarkMessage, Metadata: { user_id: '1042' }, ReceivedAt: iso(600), Tag: 'welcome', Recipient: 'jenny.rosen@example.com' } },
    { event: 'Click', body: { RecordType: 'Click', MessageStream: 'outbound', ClickLocation: 'HTML', Client: { Name: 'Chrome 120.0', Company: 'Google', Family: 'Chrome' }, OS: { Name: 'OS X 14', Company: 'Apple Computer, Inc.', Family: 'OS X' }, Platform: 'Desktop', UserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36', OriginalLink: 'https://example.com/welcome', Geo: { CountryISOCode: 'US', Country: 'United States', City: 'San Francisco', IP: '203.0.113.7' }, MessageID: postmarkMessage, Metadata: { user_id: '1042' }, ReceivedAt: iso(620), Tag: 'welcome', Recipient: 'jenny.rosen@example.com' } },
    { event: 'SpamComplaint', body: { RecordType: 'SpamComplaint', MessageStream: 'outbound', ID: 4323372036854775808, Type: 'SpamComplaint', TypeCode: 100001, Name: 'Spam complaint', Tag: 'welcome', MessageID: postmarkMessage, Metadata: { user_id: '1042' }, ServerID: 23, Description: '', Details: 'Test spam complaint details', Email: 'jenny.rosen@example.com', From: 'hello@example.com', BouncedAt: iso(3600), DumpAvailable: true, Inactive: true, CanActivate: false, Subject: 'Welcome to Acme', Content: '' } },
  ],
};

// ---------------------------------------------------------------- Resend (Svix; body type, created_at, data)
function resendEvent(type: string, extra: Record<string, unknown>, offset: number): HandSample {
  return { event: type, body: { type, created_at: iso(offset).replace('.000Z', '.126Z'), data: { created_at: iso(0).replace('.000Z', '.000000+00:00'), email_id: uuid('resendemail'), from: 'Acme <onboarding@resend.dev>', to: ['delivered@resend.dev'], subject: 'Welcome to Acme', tags: { category: 'welcome' }, ...extra } } };
}
export const resend: HandProvider = {
  ...base,
  title: 'Resend',
  defaultEvent: 'email.delivered',
  typeIn: 'body',
  idIn: 'header',
  samples: [
    resendEvent('email.sent', {}, 1),
    resendEvent('email.delivered', {}, 3),
    resendEvent('email.bounced', { bounce: { message: "The recipient's email provider sent a hard bounce message.", subType: 'Suppressed', type: 'Permanent' } }, 3),
    resendEvent('email.opened', {}, 600),
    resendEvent('email.clicked', { click: { ipAddress: '203.0.113.7', link: 'https://example.com/welcome', timestamp: iso(620), userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36' } }, 620),
    resendEvent('email.complained', {}, 3600),
  ],
};

// ---------------------------------------------------------------- Clerk (Svix; body type, object: event, data)
const clerkUser = { id: token('user_', 'clerkuser', 27), object: 'user', username: null, first_name: 'Jenny', last_name: 'Rosen', image_url: 'https://img.clerk.com/' + token('', 'clerkimg', 40), has_image: false, primary_email_address_id: token('idn_', 'clerkemail', 27), primary_phone_number_id: null, primary_web3_wallet_id: null, password_enabled: true, two_factor_enabled: false, totp_enabled: false, backup_code_enabled: false, email_addresses: [{ id: token('idn_', 'clerkemail', 27), object: 'email_address', email_address: 'jenny.rosen@example.com', reserved: false, verification: { status: 'verified', strategy: 'email_code', attempts: 1, expire_at: (T0 + 600) * 1000 }, linked_to: [] }], phone_numbers: [], web3_wallets: [], external_accounts: [], public_metadata: {}, private_metadata: {}, unsafe_metadata: {}, external_id: null, last_sign_in_at: null, banned: false, locked: false, created_at: T0 * 1000 + 123, updated_at: T0 * 1000 + 456, last_active_at: null };
function clerkEvent(type: string, data: unknown): HandSample {
  return { event: type, body: { data, event_attributes: { http_request: { client_ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36' } }, instance_id: token('ins_', 'clerkinstance', 27), object: 'event', timestamp: T0 * 1000 + 789, type } };
}
export const clerk: HandProvider = {
  ...base,
  title: 'Clerk',
  defaultEvent: 'user.created',
  typeIn: 'body',
  idIn: 'header',
  samples: [
    clerkEvent('user.created', clerkUser),
    clerkEvent('user.updated', { ...clerkUser, first_name: 'Jen', updated_at: (T0 + 3600) * 1000 }),
    clerkEvent('user.deleted', { deleted: true, id: clerkUser.id, object: 'user' }),
    clerkEvent('session.created', { id: token('sess_', 'clerksession', 27), object: 'session', client_id: token('client_', 'clerkclient', 27), user_id: clerkUser.id, status: 'active', last_active_at: (T0 + 5) * 1000, expire_at: (T0 + 604800) * 1000, abandon_at: (T0 + 2592000) * 1000, created_at: (T0 + 5) * 1000, updated_at: (T0 + 5) * 1000 }),
    clerkEvent('organization.created', { id: token('org_', 'clerkorg', 27), object: 'organization', name: 'Octo Org', slug: 'octo-org', image_url: 'https://img.clerk.com/' + token('', 'clerkorgimg', 40), has_image: false, created_by: clerkUser.id, public_metadata: {}, private_metadata: {}, max_allowed_memberships: 5, admin_delete_enabled: true, created_at: (T0 + 60) * 1000, updated_at: (T0 + 60) * 1000 }),
  ],
};

// ---------------------------------------------------------------- Telnyx (body data.id, data.event_type; Ed25519)
function telnyxEvent(type: string, payload: Record<string, unknown>): HandSample {
  const id = uuid(`telnyx${type}`);
  return { event: type, id, body: { data: { event_type: type, id, occurred_at: iso(3).replace('.000Z', '.123+00:00'), payload, record_type: 'event' }, meta: { attempt: 1, delivered_to: 'https://example.com/webhooks/telnyx' } } };
}
const telnyxMessage = (direction: string, status: string) => ({ id: uuid('telnyxmessage'), record_type: 'message', direction, type: 'SMS', messaging_profile_id: uuid('telnyxprofile'), organization_id: uuid('telnyxorg'), from: { phone_number: direction === 'inbound' ? '+13125550100' : '+13125550199', carrier: 'T-Mobile USA', line_type: 'Wireless' }, to: [{ phone_number: direction === 'inbound' ? '+13125550199' : '+13125550100', status, carrier: 'Verizon Wireless', line_type: 'Wireless' }], text: direction === 'inbound' ? 'STOP' : 'Your code is 482913', media: [], encoding: 'GSM-7', parts: 1, tags: [], cost: { amount: '0.0040', currency: 'USD' }, received_at: iso(0), sent_at: direction === 'inbound' ? null : iso(1), completed_at: status === 'delivered' ? iso(3) : null, valid_until: null, errors: [] });
const telnyxCall = { call_control_id: 'v3:' + token('', 'telnyxcall', 40), call_leg_id: uuid('telnyxleg'), call_session_id: uuid('telnyxsession'), client_state: null, connection_id: digits('telnyxconn', 19), from: '+13125550100', to: '+13125550199', direction: 'incoming', state: 'parked' };
export const telnyx: HandProvider = {
  ...base,
  title: 'Telnyx',
  defaultEvent: 'message.received',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    telnyxEvent('message.received', telnyxMessage('inbound', 'webhook_delivered')),
    telnyxEvent('message.sent', telnyxMessage('outbound', 'sent')),
    telnyxEvent('message.finalized', telnyxMessage('outbound', 'delivered')),
    telnyxEvent('call.initiated', { ...telnyxCall, start_time: iso(0) }),
    telnyxEvent('call.answered', { ...telnyxCall, state: 'answered', start_time: iso(0) }),
    telnyxEvent('call.hangup', { ...telnyxCall, state: 'hangup', hangup_cause: 'normal_clearing', hangup_source: 'caller', sip_hangup_cause: '200', start_time: iso(0), end_time: iso(94) }),
  ],
};

// ---------------------------------------------------------------- Zoom (body event, event_ts; no event id)
const zoomMeeting = { id: digits('zoommeeting', 11), uuid: token('', 'zoomuuid', 22) + '==', host_id: token('', 'zoomhost', 22), topic: 'Webhook design review', type: 2, start_time: isoSeconds(0), timezone: 'Europe/London', duration: 30 };
function zoomEvent(event: string, object: Record<string, unknown>, offset: number, extra: Record<string, unknown> = {}): HandSample {
  return { event, body: { event, event_ts: (T0 + offset) * 1000 + 572, payload: { account_id: token('', 'zoomaccount', 22), object, ...extra } } };
}
export const zoom: HandProvider = {
  ...base,
  title: 'Zoom',
  defaultEvent: 'meeting.started',
  typeIn: 'body',
  idIn: 'none',
  samples: [
    zoomEvent('meeting.started', zoomMeeting, 5),
    zoomEvent('meeting.ended', { ...zoomMeeting, end_time: isoSeconds(1800) }, 1800),
    zoomEvent('meeting.participant_joined', { ...zoomMeeting, participant: { user_id: '16778240', user_name: 'Jenny Rosen', id: token('', 'zoomuser', 22), participant_uuid: uuid('zoompart').toUpperCase(), join_time: isoSeconds(60), email: 'jenny.rosen@example.com', participant_user_id: token('', 'zoomuser', 22) } }, 60),
    zoomEvent('recording.completed', { ...zoomMeeting, account_id: token('', 'zoomaccount', 22), total_size: 45112350, recording_count: 2, share_url: 'https://example.zoom.us/rec/share/' + token('', 'zoomshare', 40), recording_files: [{ id: uuid('zoomrec1'), meeting_id: zoomMeeting.uuid, recording_start: isoSeconds(5), recording_end: isoSeconds(1795), file_type: 'MP4', file_extension: 'MP4', file_size: 44312350, play_url: 'https://example.zoom.us/rec/play/' + token('', 'zoomplay', 40), download_url: 'https://example.zoom.us/rec/download/' + token('', 'zoomdl', 40), status: 'completed', recording_type: 'shared_screen_with_speaker_view' }, { id: uuid('zoomrec2'), meeting_id: zoomMeeting.uuid, recording_start: isoSeconds(5), recording_end: isoSeconds(1795), file_type: 'M4A', file_extension: 'M4A', file_size: 800000, download_url: 'https://example.zoom.us/rec/download/' + token('', 'zoomdl2', 40), status: 'completed', recording_type: 'audio_only' }] }, 2100, { download_token: token('', 'zoomdltoken', 120) }),
    { event: 'endpoint.url_validation', body: { payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: T0 * 1000 + 680, event: 'endpoint.url_validation' } },
  ],
};

// ---------------------------------------------------------------- Intercom (body topic, id notif_)
function intercomEvent(topic: string, item: Record<string, unknown>): HandSample {
  const id = `notif_${uuid(`intercom${topic}`)}`;
  return { event: topic, id, body: { type: 'notification_event', app_id: 'abc1def2', data: { type: 'notification_event_data', item }, links: {}, id, topic, delivery_status: 'pending', delivery_attempts: 1, delivered_at: 0, first_sent_at: T0 + 2, created_at: T0 + 1, self: null } };
}
const intercomContact = { type: 'contact', id: hex('intercomcontact', 24), external_id: '1042', role: 'user', email: 'jenny.rosen@example.com', name: 'Jenny Rosen', created_at: T0 - 86400, updated_at: T0 };
const intercomConversation = (state: string) => ({ type: 'conversation', id: digits('intercomconv', 12), created_at: T0, updated_at: T0 + 60, title: null, source: { type: 'conversation', id: digits('intercomsource', 10), delivered_as: 'customer_initiated', subject: '', body: '<p>Hi, my webhooks arrive twice.</p>', author: { type: 'user', id: intercomContact.id, name: 'Jenny Rosen', email: 'jenny.rosen@example.com' }, url: 'https://example.com/settings/webhooks' }, contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: intercomContact.id, external_id: '1042' }] }, admin_assignee_id: state === 'closed' ? 814860 : null, team_assignee_id: null, open: state !== 'closed', state, read: false, priority: 'not_priority', tags: { type: 'tag.list', tags: [] } });
export const intercom: HandProvider = {
  ...base,
  title: 'Intercom',
  defaultEvent: 'conversation.user.created',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    intercomEvent('conversation.user.created', intercomConversation('open')),
    intercomEvent('conversation.user.replied', intercomConversation('open')),
    intercomEvent('conversation.admin.replied', { ...intercomConversation('open'), admin_assignee_id: 814860 }),
    intercomEvent('conversation.admin.closed', intercomConversation('closed')),
    intercomEvent('contact.user.created', intercomContact),
    intercomEvent('ping', { type: 'ping', message: 'something is fishy this way comes' }),
  ],
};

// ---------------------------------------------------------------- Zendesk event webhooks (body id, type)
function zendeskEvent(type: string, subject: string, detail: Record<string, unknown>, event: Record<string, unknown>): HandSample {
  const id = uuid(`zendesk${type}`);
  return { event: type, id, body: { account_id: 12514403, detail, event, id, subject, time: iso(7).replace('.000Z', '.672717030Z'), type, zendesk_event_version: '2022-11-06' } };
}
const zendeskTicket = { actor_id: '8447388090494', assignee_id: null, brand_id: '8447346621310', created_at: isoSeconds(0), custom_status: '8447388090365', description: 'My webhooks arrive twice after a timeout.', external_id: null, form_id: '8646151517822', group_id: '8447320466686', id: '42', is_public: true, organization_id: '8447346624638', priority: 'NORMAL', requester_id: '8447388090494', status: 'NEW', subject: 'Duplicate webhooks', submitter_id: '8447388090494', tags: ['webhooks'], type: 'INCIDENT', updated_at: isoSeconds(7), via: { channel: 'web_service' } };
export const zendesk: HandProvider = {
  ...base,
  title: 'Zendesk',
  defaultEvent: 'zen:event-type:ticket.created',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    zendeskEvent('zen:event-type:ticket.created', 'zen:ticket:42', zendeskTicket, { meta: { sequence: { id: 'MTc2ODQ3MTIwNzY3Mg==', position: 1, total: 1 } } }),
    zendeskEvent('zen:event-type:ticket.status_changed', 'zen:ticket:42', { ...zendeskTicket, status: 'OPEN' }, { current: 'OPEN', previous: 'NEW' }),
    zendeskEvent('zen:event-type:ticket.comment_added', 'zen:ticket:42', zendeskTicket, { comment: { id: '28790348902786', body: 'Could you send the delivery ids?', is_public: true, author: { id: '8447388090500', is_staff: true, name: 'Support Agent' } } }),
    zendeskEvent('zen:event-type:user.created', 'zen:user:8447388090494', { created_at: isoSeconds(-86400), email: 'jenny.rosen@example.com', external_id: '1042', default_group_id: null, id: '8447388090494', organization_id: null, role: 'end-user', updated_at: isoSeconds(-86400) }, {}),
  ],
};

// ---------------------------------------------------------------- HubSpot (a JSON array of events; subscriptionType; eventId is a number)
function hubspotEvent(type: string, extra: Record<string, unknown>): HandSample {
  // The numeric eventId is declared so each send gets a fresh one (digits for digits, still a JSON number).
  const eventId = digits(`hubspot${type}`, 10);
  return { event: type, id: eventId, body: [{ eventId: Number(eventId), subscriptionId: 2648931, portalId: 62515, appId: 1160452, occurredAt: T0 * 1000 + 945, subscriptionType: type, attemptNumber: 0, objectId: 123, changeSource: 'CRM', ...extra }] };
}
export const hubspot: HandProvider = {
  ...base,
  title: 'HubSpot',
  defaultEvent: 'contact.creation',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    hubspotEvent('contact.creation', {}),
    hubspotEvent('contact.propertyChange', { propertyName: 'lifecyclestage', propertyValue: 'customer', changeFlag: 'UPDATED', sourceId: 'userId:1234567' }),
    hubspotEvent('contact.deletion', { changeFlag: 'DELETED' }),
    hubspotEvent('company.creation', { objectId: 456 }),
    hubspotEvent('deal.creation', { objectId: 789 }),
    hubspotEvent('deal.propertyChange', { objectId: 789, propertyName: 'dealstage', propertyValue: 'closedwon', changeFlag: 'UPDATED' }),
  ],
};

// ---------------------------------------------------------------- Calendly (body event, payload)
const calendlyEvent = `https://api.calendly.com/scheduled_events/${uuid('calendlyevent').toUpperCase()}`;
const calendlyInvitee = (status: string, extra: Record<string, unknown> = {}) => ({ cancel_url: `https://calendly.com/cancellations/${uuid('calendlyinv').toUpperCase()}`, created_at: iso(0).replace('.000Z', '.000000Z'), email: 'jenny.rosen@example.com', event: calendlyEvent, first_name: null, last_name: null, name: 'Jenny Rosen', new_invitee: null, no_show: null, old_invitee: null, payment: null, questions_and_answers: [{ answer: 'Webhook retries', position: 0, question: 'What would you like to discuss?' }], reconfirmation: null, reschedule_url: `https://calendly.com/reschedulings/${uuid('calendlyinv').toUpperCase()}`, rescheduled: false, routing_form_submission: null, scheduled_event: { created_at: iso(0).replace('.000Z', '.000000Z'), end_time: iso(88200).replace('.000Z', '.000000Z'), event_type: `https://api.calendly.com/event_types/${uuid('calendlytype').toUpperCase()}`, location: { join_url: 'https://calendly.com/events/' + uuid('calendlyjoin') + '/google_meet', status: 'pushed', type: 'google_conference' }, name: '30 Minute Meeting', start_time: iso(86400).replace('.000Z', '.000000Z'), status: status === 'canceled' ? 'canceled' : 'active', uri: calendlyEvent }, status, text_reminder_number: null, timezone: 'Europe/London', tracking: { utm_campaign: null, utm_source: null, utm_medium: null, utm_content: null, utm_term: null, salesforce_uuid: null }, updated_at: iso(0).replace('.000Z', '.000000Z'), uri: `${calendlyEvent}/invitees/${uuid('calendlyinv').toUpperCase()}`, ...extra });
export const calendly: HandProvider = {
  ...base,
  title: 'Calendly',
  defaultEvent: 'invitee.created',
  typeIn: 'body',
  idIn: 'none',
  samples: [
    { event: 'invitee.created', body: { created_at: iso(0).replace('.000Z', '.000000Z'), created_by: `https://api.calendly.com/users/${uuid('calendlyuser').toUpperCase()}`, event: 'invitee.created', payload: calendlyInvitee('active') } },
    { event: 'invitee.canceled', body: { created_at: iso(3600).replace('.000Z', '.000000Z'), created_by: `https://api.calendly.com/users/${uuid('calendlyuser').toUpperCase()}`, event: 'invitee.canceled', payload: calendlyInvitee('canceled', { cancellation: { canceled_by: 'Jenny Rosen', reason: 'Conflict', canceler_type: 'invitee', created_at: iso(3600).replace('.000Z', '.000000Z') } }) } },
    { event: 'invitee_no_show.created', body: { created_at: iso(90000).replace('.000Z', '.000000Z'), created_by: `https://api.calendly.com/users/${uuid('calendlyuser').toUpperCase()}`, event: 'invitee_no_show.created', payload: { created_at: iso(90000).replace('.000Z', '.000000Z'), invitee: `${calendlyEvent}/invitees/${uuid('calendlyinv').toUpperCase()}`, uri: `https://api.calendly.com/invitee_no_shows/${uuid('calendlynoshow').toUpperCase()}` } } },
    { event: 'routing_form_submission.created', body: { created_at: iso(0).replace('.000Z', '.000000Z'), created_by: `https://api.calendly.com/users/${uuid('calendlyuser').toUpperCase()}`, event: 'routing_form_submission.created', payload: { created_at: iso(0).replace('.000Z', '.000000Z'), questions_and_answers: [{ answer: 'Enterprise', question: 'Company size', question_uuid: uuid('calendlyq') }], result: { type: 'event_type', value: `https://api.calendly.com/event_types/${uuid('calendlytype').toUpperCase()}` }, routing_form: `https://api.calendly.com/routing_forms/${uuid('calendlyform').toUpperCase()}`, submitter: null, submitter_type: null, tracking: { utm_campaign: null, utm_source: null }, updated_at: iso(0).replace('.000Z', '.000000Z'), uri: `https://api.calendly.com/routing_form_submissions/${uuid('calendlysub').toUpperCase()}` } } },
  ],
};

// ---------------------------------------------------------------- Typeform (body event_id, event_type)
const typeformDefinition = { id: 'lT4Z3j', title: 'Webhook survey', fields: [{ id: 'Auxd6Itc4qgK', ref: 'name', type: 'short_text', title: 'What is your name?', properties: {} }, { id: 'SMEUb7VJz92Q', ref: 'rating', type: 'opinion_scale', title: 'How likely are you to recommend us?', properties: {} }, { id: 'gFFf3xAkJKsr', ref: 'newsletter', type: 'yes_no', title: 'Subscribe to the newsletter?', properties: {} }], endings: [{ id: 'DefaultTyScreen', ref: 'default_tys', title: 'Thanks for completing this typeform', type: 'thankyou_screen', properties: { show_button: true, share_icons: true, button_mode: 'default_redirect', button_text: 'again' } }] };
function typeformEvent(type: string, response: Record<string, unknown>): HandSample {
  const id = token('01', `typeform${type}`, 24).toUpperCase();
  return { event: type, id, body: { event_id: id, event_type: type, form_response: { form_id: 'lT4Z3j', token: token('', 'typeformtoken', 32).toLowerCase(), landed_at: isoSeconds(0), submitted_at: isoSeconds(45), hidden: { user_id: '1042' }, definition: typeformDefinition, ...response } } };
}
const typeformAnswers = [{ type: 'text', text: 'Jenny Rosen', field: { id: 'Auxd6Itc4qgK', type: 'short_text', ref: 'name' } }, { type: 'number', number: 9, field: { id: 'SMEUb7VJz92Q', type: 'opinion_scale', ref: 'rating' } }, { type: 'boolean', boolean: true, field: { id: 'gFFf3xAkJKsr', type: 'yes_no', ref: 'newsletter' } }];
export const typeform: HandProvider = {
  ...base,
  title: 'Typeform',
  defaultEvent: 'form_response',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    typeformEvent('form_response', { answers: typeformAnswers, ending: { id: 'DefaultTyScreen', ref: 'default_tys' } }),
    typeformEvent('form_response_partial', { answers: typeformAnswers.slice(0, 1) }),
  ],
};

// ---------------------------------------------------------------- Okta event hooks (body eventId; data.events[].eventType)
function oktaEvent(type: string, display: string, target: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): HandSample {
  const id = uuid(`okta${type}`);
  return {
    event: type,
    id,
    body: {
      eventType: 'com.okta.event_hook',
      eventTypeVersion: '1.0',
      cloudEventsVersion: '0.1',
      source: 'https://dev-12345678.okta.com/api/v1/eventHooks/who' + token('', 'oktahook', 17),
      eventId: id,
      data: { events: [{ uuid: uuid(`oktaevent${type}`), published: iso(2).replace('.000Z', '.539Z'), eventType: type, version: '0', displayMessage: display, severity: 'INFO', client: { userAgent: { rawUserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/537.36', os: 'Mac OS X', browser: 'CHROME' }, zone: 'null', device: 'Computer', id: null, ipAddress: '203.0.113.7', geographicalContext: { city: 'London', state: 'England', country: 'United Kingdom', postalCode: 'EC1A', geolocation: { lat: 51.5164, lon: -0.093 } } }, actor: { id: '00u' + token('', 'oktauser', 17), type: 'User', alternateId: 'jenny.rosen@example.com', displayName: 'Jenny Rosen', detailEntry: null }, outcome: { result: 'SUCCESS', reason: null }, target, transaction: { type: 'WEB', id: token('', 'oktatx', 27), detail: {} }, debugContext: { debugData: { requestId: token('', 'oktareq', 27), requestUri: '/api/v1/authn', url: '/api/v1/authn?' } }, legacyEventType: null, authenticationContext: { authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, authenticationStep: 0, externalSessionId: '102' + token('', 'oktasession', 22) }, securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null }, ...extra }] },
      eventTime: iso(3).replace('.000Z', '.104Z'),
      contentType: 'application/json',
    },
  };
}
const oktaUserTarget = [{ id: '00u' + token('', 'oktauser', 17), type: 'User', alternateId: 'jenny.rosen@example.com', displayName: 'Jenny Rosen', detailEntry: null }];
export const okta: HandProvider = {
  ...base,
  title: 'Okta',
  defaultEvent: 'user.session.start',
  typeIn: 'body',
  idIn: 'body',
  samples: [
    oktaEvent('user.session.start', 'User login to Okta', oktaUserTarget, { legacyEventType: 'core.user_auth.login_success' }),
    oktaEvent('user.lifecycle.create', 'Create Okta user', oktaUserTarget),
    oktaEvent('user.lifecycle.deactivate', 'Deactivate Okta user', oktaUserTarget),
    oktaEvent('group.user_membership.add', 'Add user to group membership', [...oktaUserTarget, { id: '00g' + token('', 'oktagroup', 17), type: 'UserGroup', alternateId: 'unknown', displayName: 'Engineering', detailEntry: null }]),
    oktaEvent('user.account.update_password', 'User update password for Okta', oktaUserTarget),
  ],
};

// ---------------------------------------------------------------- Meta (WhatsApp Cloud API, Messenger, Instagram: object + entry[].changes[].field)
const waValue = { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' } };
const waMessageId = 'wamid.' + token('HBgLMTY1MDM4Nzk0MzkVAgASGBQz', 'wamid', 28) + 'AA==';
export const meta: HandProvider = {
  ...base,
  title: 'Meta (WhatsApp, Messenger, Instagram)',
  defaultEvent: 'whatsapp.messages',
  typeIn: 'body',
  idIn: 'none',
  samples: [
    { event: 'whatsapp.messages', body: { object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ value: { ...waValue, contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }], messages: [{ from: '16505551234', id: waMessageId, timestamp: String(T0 + 3), type: 'text', text: { body: 'Does it come in another color?' } }] }, field: 'messages' }] }] } },
    { event: 'whatsapp.statuses', body: { object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ value: { ...waValue, statuses: [{ id: waMessageId, status: 'delivered', timestamp: String(T0 + 5), recipient_id: '16505551234', conversation: { id: hex('waconv', 32), origin: { type: 'service' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'service' } }] }, field: 'messages' }] }] } },
    { event: 'page.messages', body: { object: 'page', entry: [{ id: '105550000000001', time: T0 * 1000 + 123, messaging: [{ sender: { id: '6543210987654321' }, recipient: { id: '105550000000001' }, timestamp: T0 * 1000 + 100, message: { mid: 'm_' + token('', 'fbmid', 86), text: 'Hello, is this available?' } }] }] } },
    { event: 'instagram.comments', body: { object: 'instagram', entry: [{ id: '17841400000000001', time: T0 + 4, changes: [{ value: { from: { id: '232323232', username: 'jenny.rosen' }, media: { id: '123123123', media_product_type: 'FEED' }, id: '17865799348089039', parent_id: null, text: 'Love this!' }, field: 'comments' }] }] } },
  ],
};

// ---------------------------------------------------------------- AWS SNS (the signed message is the body; text/plain)
const snsTopic = 'arn:aws:sns:us-east-1:123456789012:webhook-demo';
function snsMessage(type: string, extra: Record<string, unknown>): HandSample {
  const id = uuid(`sns${type}`);
  return {
    event: type,
    id,
    contentType: 'text/plain; charset=UTF-8',
    headerType: type,
    fresh: [{ key: 'Timestamp', unit: 'iso' }],
    body: { Type: type, MessageId: id, ...extra, TopicArn: snsTopic, Timestamp: iso(0).replace('.000Z', '.655Z'), SignatureVersion: '2', Signature: '', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-hookctl-test.pem' },
  };
}
export const sns: HandProvider = {
  ...base,
  contentType: 'text/plain; charset=UTF-8',
  title: 'AWS SNS',
  defaultEvent: 'Notification',
  typeIn: 'both',
  idIn: 'both',
  style: 'pretty',
  samples: [
    snsMessage('Notification', { Subject: 'Order 1043 shipped', Message: JSON.stringify({ orderId: 1043, status: 'shipped' }), UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${snsTopic}:${uuid('snssub')}` }),
    snsMessage('SubscriptionConfirmation', { Token: hex('snstoken', 256), Message: `You have chosen to subscribe to the topic ${snsTopic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`, SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${snsTopic}&Token=${hex('snstoken', 256)}` }),
    snsMessage('UnsubscribeConfirmation', { Token: hex('snstoken2', 256), Message: `You have chosen to deactivate subscription arn:aws:sns:us-east-1:123456789012:webhook-demo:${uuid('snssub')}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`, SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${snsTopic}&Token=${hex('snstoken2', 256)}` }),
  ],
};
