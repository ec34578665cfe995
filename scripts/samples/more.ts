/**
 * Hand-made samples for Dropbox, Asana, Render, Loops and Google Cloud Pub/Sub push, in each
 * provider's documented webhook shape; every id is fake.
 */
import { HAND_MADE, HAND_MADE_LICENCE, T0, digits, hex, iso, token, type HandProvider, type HandSample } from './kit.js';

const base = { source: HAND_MADE, licence: HAND_MADE_LICENCE, contentType: 'application/json', style: 'compact' as const };

// ---------------------------------------------------------------- Dropbox (a notification names accounts that changed; no type, no id)
export const dropbox: HandProvider = {
  ...base,
  title: 'Dropbox',
  defaultEvent: 'list_folder',
  typeIn: 'none',
  idIn: 'none',
  samples: [
    { event: 'list_folder', body: { list_folder: { accounts: [`dbid:${token('AA', 'dropbox1', 38)}`] }, delta: { users: [Number(digits('dropboxuser1', 8))] } } },
    { event: 'list_folder', body: { list_folder: { accounts: [`dbid:${token('AA', 'dropbox1', 38)}`, `dbid:${token('AA', 'dropbox2', 38)}`] }, delta: { users: [Number(digits('dropboxuser1', 8)), Number(digits('dropboxuser2', 8))] } } },
  ],
};

// ---------------------------------------------------------------- Asana (a batch of events; resource type + action)
const asanaUser = { gid: digits('asanauser', 16), resource_type: 'user' };
const asanaTask = { gid: digits('asanatask', 16), resource_type: 'task', resource_subtype: 'default_task' };
const asanaProject = { gid: digits('asanaproject', 16), resource_type: 'project' };
function asanaEvent(event: string, item: Record<string, unknown>): HandSample {
  return { event, body: { events: [{ user: asanaUser, created_at: iso(5).replace('.000Z', '.372Z'), ...item }] } };
}
export const asana: HandProvider = {
  ...base,
  title: 'Asana',
  defaultEvent: 'task.changed',
  typeIn: 'body',
  idIn: 'none',
  samples: [
    asanaEvent('task.added', { action: 'added', resource: asanaTask, parent: asanaProject, change: null }),
    asanaEvent('task.changed', { action: 'changed', resource: asanaTask, parent: null, change: { field: 'assignee', action: 'changed', new_value: asanaUser } }),
    asanaEvent('task.deleted', { action: 'deleted', resource: asanaTask, parent: null, change: null }),
    asanaEvent('story.added', { action: 'added', resource: { gid: digits('asanastory', 16), resource_type: 'story', resource_subtype: 'comment_added' }, parent: asanaTask, change: null }),
    asanaEvent('project.changed', { action: 'changed', resource: asanaProject, parent: null, change: { field: 'name', action: 'changed' } }),
  ],
};

// ---------------------------------------------------------------- Render (Standard Webhooks headers; body type, timestamp, data)
function renderEvent(type: string, data: Record<string, unknown>, offset: number): HandSample {
  return { event: type, body: { type, timestamp: iso(offset).replace('.000Z', '.512Z'), data: { id: `evj-${token('', `render${type}`, 20).toLowerCase()}`, serviceId: `srv-${token('', 'renderservice', 20).toLowerCase()}`, serviceName: 'webhook-demo', ...data } } };
}
export const render: HandProvider = {
  ...base,
  title: 'Render',
  defaultEvent: 'deploy_ended',
  typeIn: 'body',
  idIn: 'header',
  samples: [
    renderEvent('deploy_started', {}, 0),
    renderEvent('deploy_ended', { status: 'succeeded' }, 95),
    renderEvent('build_ended', { status: 'failed' }, 60),
    renderEvent('server_failed', { reason: { oomKilled: { memoryLimit: '512Mi' } } }, 3600),
  ],
};

// ---------------------------------------------------------------- Loops (Standard Webhooks headers; body eventName)
function loopsEvent(eventName: string, extra: Record<string, unknown>): HandSample {
  return { event: eventName, body: { eventName, eventTime: T0 + 12, webhookSchemaVersion: '1.0.0', contactIdentity: { id: token('cm', 'loopscontact', 23).toLowerCase(), email: 'jenny.rosen@example.com', userId: '1042' }, ...extra } };
}
const loopsEmail = { id: token('cm', 'loopsemail', 23).toLowerCase(), emailMessageId: token('cm', 'loopsmessage', 23).toLowerCase(), subject: 'Welcome to Acme' };
export const loops: HandProvider = {
  ...base,
  title: 'Loops',
  defaultEvent: 'email.delivered',
  typeIn: 'body',
  idIn: 'header',
  samples: [
    loopsEvent('contact.created', { contact: { firstName: 'Jenny', lastName: 'Rosen', source: 'API', subscribed: true, userGroup: 'beta' } }),
    loopsEvent('email.sent', { sourceType: 'transactional', email: loopsEmail, transactionalId: token('cm', 'loopstx', 23).toLowerCase() }),
    loopsEvent('email.delivered', { sourceType: 'transactional', email: loopsEmail, transactionalId: token('cm', 'loopstx', 23).toLowerCase() }),
    loopsEvent('email.opened', { sourceType: 'campaign', email: loopsEmail, campaignId: token('cm', 'loopscampaign', 23).toLowerCase() }),
    loopsEvent('contact.unsubscribed', {}),
  ],
};

// ---------------------------------------------------------------- Google Cloud Pub/Sub push (the message in the body; OIDC token in Authorization)
function pubsubMessage(event: string, data: unknown, attributes: Record<string, string>): HandSample {
  const id = digits(`pubsub${event}`, 16);
  return {
    event,
    id,
    body: {
      message: { attributes, data: Buffer.from(JSON.stringify(data)).toString('base64'), messageId: id, message_id: id, publishTime: iso(3).replace('.000Z', '.749Z'), publish_time: iso(3).replace('.000Z', '.749Z') },
      subscription: 'projects/webhook-demo/subscriptions/orders-push',
    },
  };
}
export const pubsub: HandProvider = {
  ...base,
  title: 'Google Cloud Pub/Sub',
  defaultEvent: 'message',
  typeIn: 'none',
  idIn: 'body',
  samples: [
    pubsubMessage('message', { orderId: 1043, status: 'shipped' }, { origin: 'orders-service' }),
    pubsubMessage('storage.OBJECT_FINALIZE', { kind: 'storage#object', id: `webhook-demo-uploads/invoices/1043.pdf/${digits('gcsgen', 16)}`, name: 'invoices/1043.pdf', bucket: 'webhook-demo-uploads', generation: digits('gcsgen', 16), contentType: 'application/pdf', size: '48213', md5Hash: Buffer.from(hex('gcsmd5', 32), 'hex').toString('base64'), timeCreated: iso(2), updated: iso(2) }, { bucketId: 'webhook-demo-uploads', eventType: 'OBJECT_FINALIZE', notificationConfig: 'projects/_/buckets/webhook-demo-uploads/notificationConfigs/1', objectId: 'invoices/1043.pdf', objectGeneration: digits('gcsgen', 16), payloadFormat: 'JSON_API_V1', eventTime: iso(2).replace('.000Z', '.512000Z') }),
  ],
};

