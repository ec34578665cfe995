/**
 * Builds the sample-event catalog in `data/samples/`: `index.json` (what `hookctl samples` lists
 * and searches) and one gzip'd JSON file per provider holding the unsigned bodies.
 *
 *   npx tsx scripts/gen-samples.ts        (the output is committed; run again after changing a source)
 *
 * Sources, each recorded in NOTICE: GitHub's examples from the npm package
 * `@octokit/webhooks-examples` (MIT); the hand-made fixtures in `fixtures/<scheme>/` (first, so the
 * default samples keep their bytes); the hand-made samples in `scripts/samples/`.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { decodeBody, isDeliveryRecord, type DeliveryRecord } from '../src/records/record.js';
import { CATALOG_FORMAT, shardOf, type CatalogIndex, type IndexedEvent, type StoredProvider, type StoredSample } from '../src/records/sample-catalog.js';
import { shopify, slack, standard, twilio } from './samples/classic.js';
import { atlassian, bitbucket, discord, gitlab, linear, mux, netlify, notion, openai, replicate, sentry, twitch, vercel } from './samples/devtools.js';
import type { HandProvider, ProviderInfo } from './samples/kit.js';
import { calendly, clerk, hubspot, intercom, mailgun, meta, okta, postmark, resend, sendgrid, sns, telnyx, typeform, zendesk, zoom } from './samples/messaging.js';
import { coinbase, lemonsqueezy, paddle, plaid, razorpay, square, woocommerce } from './samples/payments.js';
import { asana, dropbox, loops, pubsub, render } from './samples/more.js';
import { stripe } from './samples/stripe.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = `${ROOT}data/samples/`;
const require = createRequire(import.meta.url);
const SHARD_ABOVE = 256 * 1024;

interface Built extends ProviderInfo {
  samples: StoredSample[];
  descriptions: Map<string, string>;
}

const catalog = new Map<string, Built>();

function provider(name: string, info: ProviderInfo): Built {
  let built = catalog.get(name);
  if (!built) {
    built = { ...info, samples: [], descriptions: new Map() };
    catalog.set(name, built);
  }
  return built;
}

/** An id to swap for a fresh one must be a string the body holds exactly once in quotes, or a form value. */
function swappableId(body: string, id: string | undefined | null, form: boolean): string | undefined {
  if (!id || id.length < 6) return undefined;
  const needle = form ? `=${encodeURIComponent(id)}` : JSON.stringify(id);
  if (body.includes(needle)) return id;
  // A JSON number (HubSpot's eventId) is swapped digit for digit (send/id-like.ts), so the body stays
  // JSON; it must be the only place those digits occur.
  if (!form && /^\d+$/.test(id) && new RegExp(`:${id}[,}\\]]`).test(body) && body.split(id).length === 2) return id;
  return undefined;
}

// ---------------------------------------------------------------- fixtures/<scheme>/ first
const FIXTURE_INFO: Record<string, HandProvider> = { stripe, shopify, slack, standard, twilio };
function fromFixtures(scheme: string, info: ProviderInfo): void {
  const folder = `${ROOT}fixtures/${scheme}/`;
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.json')).sort()) {
    const record = JSON.parse(readFileSync(folder + file, 'utf8')) as DeliveryRecord;
    if (!isDeliveryRecord(record)) throw new Error(`${folder}${file}: not a delivery record`);
    const body = decodeBody(record).toString('utf8');
    const stem = file.replace(/\.json$/, '');
    const type = record.eventType ?? stem;
    const event = stem.startsWith(`${type}.`) ? stem : type;
    const contentType = record.headers['content-type'];
    const form = (contentType ?? '').includes('form-urlencoded');
    const githubEvent = record.headers['x-github-event'];
    const id = swappableId(body, record.eventId, form);
    provider(scheme, info).samples.push({
      event,
      body,
      ...(contentType && contentType !== info.contentType ? { contentType } : {}),
      ...(id ? { id } : {}),
      ...(githubEvent && githubEvent !== event ? { headerType: githubEvent } : {}),
    });
  }
}

// ---------------------------------------------------------------- GitHub: @octokit/webhooks-examples
interface OctokitEvent {
  name: string;
  description: string;
  actions: string[];
  examples: Array<Record<string, unknown>>;
}
const GITHUB: ProviderInfo = {
  title: 'GitHub',
  source: 'npm @octokit/webhooks-examples (octokit/webhooks payload-examples, api.github.com)',
  licence: 'MIT, Copyright (c) 2018 Octokit contributors',
  contentType: 'application/json',
  defaultEvent: 'push',
  typeIn: 'header',
  idIn: 'header',
};

/** The first sentence of GitHub's event description, without Markdown links. */
function shortDescription(text: string): string {
  const plain = text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '').replace(/\s+/g, ' ').trim();
  const end = plain.search(/\.(\s|$)/);
  return end > 0 ? plain.slice(0, end + 1) : plain;
}

function fromOctokit(): void {
  const examples = require('@octokit/webhooks-examples') as OctokitEvent[];
  const github = provider('github', GITHUB);
  for (const entry of examples) {
    for (const example of entry.examples) {
      const action = typeof example.action === 'string' ? example.action : undefined;
      const event = action ? `${entry.name}.${action}` : entry.name;
      github.samples.push({ event, body: JSON.stringify(example), ...(event !== entry.name ? { headerType: entry.name } : {}) });
      github.descriptions.set(event, shortDescription(entry.description));
    }
  }
}

// ---------------------------------------------------------------- hand-made
function fromHand(name: string, hand: HandProvider): void {
  const { samples, style, ...info } = hand;
  const built = provider(name, info);
  for (const sample of samples) {
    const body = typeof sample.body === 'string' ? sample.body : style === 'pretty' ? JSON.stringify(sample.body, null, 2) : JSON.stringify(sample.body);
    const contentType = sample.contentType ?? info.contentType;
    const id = swappableId(body, sample.id, contentType.includes('form-urlencoded'));
    if (sample.id && !id) throw new Error(`${name}/${sample.event}: its id ${sample.id} is not a quoted string (or a lone JSON number) in the body`);
    if (contentType.includes('json')) JSON.parse(body);
    built.samples.push({
      event: sample.event,
      body,
      ...(sample.contentType && sample.contentType !== built.contentType ? { contentType: sample.contentType } : {}),
      ...(id ? { id } : {}),
      ...(sample.headerType ? { headerType: sample.headerType } : {}),
      ...(sample.fresh ? { fresh: sample.fresh } : {}),
    });
    if (sample.description) built.descriptions.set(sample.event, sample.description);
  }
}

fromFixtures('github', GITHUB);
fromOctokit();
for (const [scheme, info] of Object.entries(FIXTURE_INFO)) fromFixtures(scheme, info);
const HAND: Record<string, HandProvider> = {
  stripe, shopify, slack, twilio, standard,
  paddle, square, razorpay, coinbase, lemonsqueezy, woocommerce, plaid,
  linear, gitlab, bitbucket, vercel, netlify, sentry, atlassian, notion, openai, replicate, mux, discord, twitch,
  sendgrid, mailgun, postmark, resend, clerk, telnyx, zoom, intercom, zendesk, hubspot, calendly, typeform, okta, meta, sns,
  dropbox, asana, render, loops, pubsub,
};
for (const [name, hand] of Object.entries(HAND)) fromHand(name, hand);

// ---------------------------------------------------------------- write
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const index: CatalogIndex = { format: CATALOG_FORMAT, providers: {} };
let total = 0;
let compressed = 0;
for (const name of [...catalog.keys()].sort()) {
  const built = catalog.get(name)!;
  const counts = new Map<string, number>();
  for (const sample of built.samples) counts.set(sample.event, (counts.get(sample.event) ?? 0) + 1);
  if (!counts.has(built.defaultEvent)) throw new Error(`${name}: no sample of its default event ${built.defaultEvent}`);
  const events: IndexedEvent[] = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([event, examples]) => ({ event, examples, ...(built.descriptions.has(event) ? { description: built.descriptions.get(event)! } : {}) }));
  const { samples, descriptions: _descriptions, ...info } = built;
  // Past this much JSON, one file per event family: sending one event then reads a few KiB, not MiBs.
  const sharded = JSON.stringify(samples).length > SHARD_ABOVE;
  index.providers[name] = { ...info, events, ...(sharded ? { sharded: true } : {}) };
  const groups = new Map<string, StoredSample[]>();
  for (const sample of samples) {
    if (sharded && !/^[A-Za-z0-9_-]+$/.test(shardOf(sample.event))) throw new Error(`${name}/${sample.event}: its family is no file name`);
    const file = sharded ? `${name}/${shardOf(sample.event)}` : name;
    groups.set(file, [...(groups.get(file) ?? []), sample]);
  }
  if (sharded) mkdirSync(`${OUT}${name}`, { recursive: true });
  for (const [file, group] of groups) {
    const stored: StoredProvider = { format: CATALOG_FORMAT, provider: name, samples: group };
    const gz = gzipSync(JSON.stringify(stored), { level: 9 });
    writeFileSync(`${OUT}${file}.json.gz`, gz);
    compressed += gz.length;
  }
  total += samples.length;
}
writeFileSync(`${OUT}index.json`, `${JSON.stringify(index)}\n`);
console.log(`${catalog.size} providers, ${total} samples; bodies ${(compressed / 1024).toFixed(0)} KiB gzip'd, index ${(JSON.stringify(index).length / 1024).toFixed(0)} KiB`);
