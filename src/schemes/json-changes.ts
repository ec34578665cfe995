/**
 * What a JSON re-serialization changes, read from the bytes as written rather than from parsed
 * values: parsing keeps `1.0` and `1` equal, `"\u00e9"` and `"é"` equal, and rounds
 * 820982911946154508 to 820982911946154500, which is exactly why a body that went through
 * JSON.parse and JSON.stringify no longer matches its signature. The diagnosis uses this to
 * name the changes when it holds the original bytes, to write a body the way other serializers
 * (Python, PHP, Rails) write it, and to spot the marks a lossy re-serialization leaves behind.
 * Knows no terminal; every piece of body text it returns is made printable and clipped.
 */
import { printable } from '../text/printable.js';

/** A JSON token with its text as written. */
export interface JsonToken {
  kind: 'punct' | 'string' | 'number' | 'literal';
  raw: string;
}

export interface JsonText {
  tokens: JsonToken[];
  /** Whitespace between tokens: none, spaces only, or line breaks (pretty-printed). */
  layout: 'compact' | 'spaced' | 'pretty-printed';
  /** Ends with a line break after the last token. */
  trailingNewline: boolean;
}

const STRING = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const SPACE = /[ \t\n\r]+/y;

/** The tokens of a JSON text, or undefined when it is not one well-formed JSON value's tokens. */
export function jsonTokens(text: string): JsonText | undefined {
  const tokens: JsonToken[] = [];
  let spaced = false;
  let lines = false;
  let trailingNewline = false;
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    let pattern: RegExp;
    let kind: JsonToken['kind'];
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      SPACE.lastIndex = at;
      SPACE.exec(text);
      const run = text.slice(at, SPACE.lastIndex);
      at = SPACE.lastIndex;
      if (at === text.length) {
        trailingNewline = run.includes('\n');
        break;
      }
      if (tokens.length > 0) {
        spaced = true;
        if (run.includes('\n')) lines = true;
      }
      continue;
    }
    if ('{}[],:'.includes(char)) {
      tokens.push({ kind: 'punct', raw: char });
      at++;
      continue;
    }
    if (char === '"') [pattern, kind] = [STRING, 'string'];
    else if (char === '-' || (char >= '0' && char <= '9')) [pattern, kind] = [NUMBER, 'number'];
    else [pattern, kind] = [LITERAL, 'literal'];
    pattern.lastIndex = at;
    if (!pattern.test(text)) return undefined;
    tokens.push({ kind, raw: text.slice(at, pattern.lastIndex) });
    at = pattern.lastIndex;
  }
  if (tokens.length === 0) return undefined;
  return { tokens, layout: lines ? 'pretty-printed' : spaced ? 'spaced' : 'compact', trailingNewline };
}

// ------------------------------------------------------------------ writing it another way

export interface Layout {
  /** One indent step; undefined for a single line. */
  indent?: string;
  /** Between items on a single line: "," (JSON.stringify) or ", " (Python). */
  itemSeparator: string;
  /** Between a key and its value: ":" or ": ". */
  keySeparator: string;
}

/** Writes tokens in another layout, each token's text mapped by `write` (e.g. re-escaped strings). */
export function relayout(tokens: readonly JsonToken[], layout: Layout, write: (token: JsonToken) => string = (token) => token.raw): string {
  const { indent } = layout;
  const parts: string[] = [];
  let depth = 0;
  const newline = () => `\n${indent!.repeat(depth)}`;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'punct') {
      parts.push(write(token));
      continue;
    }
    switch (token.raw) {
      case '{':
      case '[': {
        const next = tokens[i + 1];
        // Empty containers stay "{}" and "[]" in every serializer this models.
        if (next?.kind === 'punct' && (next.raw === '}' || next.raw === ']')) {
          parts.push(token.raw + next.raw);
          i++;
          break;
        }
        depth++;
        parts.push(indent === undefined ? token.raw : token.raw + newline());
        break;
      }
      case '}':
      case ']':
        depth--;
        parts.push(indent === undefined ? token.raw : newline() + token.raw);
        break;
      case ',':
        parts.push(indent === undefined ? layout.itemSeparator : `,${newline()}`);
        break;
      default:
        parts.push(layout.keySeparator);
    }
  }
  return parts.join('');
}

const hex4 = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;

/** Every character outside printable ASCII written as \uXXXX (Python's ensure_ascii, PHP's default). Safe on a whole JSON text: such characters only occur inside strings. */
export function escapeNonAscii(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (char) => hex4(char.charCodeAt(0)));
}

/** A string token as JSON.stringify writes its value. Without a backslash it already is: nothing else in a valid JSON string is written another way. */
function restring(token: JsonToken): string {
  return token.kind === 'string' && token.raw.includes('\\') ? JSON.stringify(JSON.parse(token.raw) as string) : token.raw;
}

const NON_ASCII = /[\u007f-\uffff]/;
/** escapeNonAscii for one token, skipping the replace where there is nothing to escape (most tokens). */
const asciiToken = (token: JsonToken) => {
  const text = restring(token);
  return token.kind === 'string' && NON_ASCII.test(text) ? escapeNonAscii(text) : text;
};

/** How other languages' standard serializers write JSON, from the tokens as received (numbers kept as written). */
export const SERIALIZERS: ReadonlyArray<{ name: string; applies: RegExp; write(tokens: readonly JsonToken[]): string }> = [
  {
    name: "Python's json.dumps (\", \" and \": \" separators, non-ASCII escaped)",
    applies: /[^]/,
    write: (tokens) => relayout(tokens, { itemSeparator: ', ', keySeparator: ': ' }, asciiToken),
  },
  {
    name: "PHP's json_encode (\\/ for /, non-ASCII escaped)",
    applies: /[/\u007f-\uffff]/,
    write: (tokens) => relayout(tokens, { itemSeparator: ',', keySeparator: ':' }, (token) => (token.kind === 'string' ? asciiToken(token).replace(/\//g, '\\/') : token.raw)),
  },
  {
    name: "Rails' to_json or Go's encoding/json (<, > and & escaped as \\u003c, \\u003e, \\u0026)",
    applies: /[<>&\u2028\u2029]/,
    write: (tokens) => relayout(tokens, { itemSeparator: ',', keySeparator: ':' }, (token) => (token.kind === 'string' ? restring(token).replace(/[<>&\u2028\u2029]/g, (char) => hex4(char.charCodeAt(0))) : token.raw)),
  },
];

// ------------------------------------------------------------------ comparing two bodies

type Node =
  | { kind: 'object'; entries: Array<{ rawKey: string; key: string; value: Node }> }
  | { kind: 'array'; items: Node[] }
  | { kind: 'string'; raw: string; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'literal'; raw: string };

const MAX_DEPTH = 256;

/** A tree of the tokens with their text as written; undefined when they do not form one JSON value. */
function tree(tokens: readonly JsonToken[]): Node | undefined {
  let at = 0;
  const value = (depth: number): Node | undefined => {
    const token = tokens[at++];
    if (!token || depth > MAX_DEPTH) return undefined;
    if (token.kind === 'string') return { kind: 'string', raw: token.raw, value: JSON.parse(token.raw) as string };
    if (token.kind === 'number' || token.kind === 'literal') return { kind: token.kind, raw: token.raw };
    if (token.raw === '[') {
      const items: Node[] = [];
      if (tokens[at]?.raw === ']') return (at++, { kind: 'array', items });
      for (;;) {
        const item = value(depth + 1);
        if (!item) return undefined;
        items.push(item);
        const next = tokens[at++];
        if (next?.raw === ']') return { kind: 'array', items };
        if (next?.raw !== ',') return undefined;
      }
    }
    if (token.raw === '{') {
      const entries: Array<{ rawKey: string; key: string; value: Node }> = [];
      if (tokens[at]?.raw === '}') return (at++, { kind: 'object', entries });
      for (;;) {
        const key = tokens[at++];
        if (key?.kind !== 'string' || tokens[at++]?.raw !== ':') return undefined;
        const item = value(depth + 1);
        if (!item) return undefined;
        entries.push({ rawKey: key.raw, key: JSON.parse(key.raw) as string, value: item });
        const next = tokens[at++];
        if (next?.raw === '}') return { kind: 'object', entries };
        if (next?.raw !== ',') return undefined;
      }
    }
    return undefined;
  };
  const root = value(0);
  return root && at === tokens.length ? root : undefined;
}

export type JsonChangeKind = 'number' | 'big-integer' | 'escape' | 'key-order' | 'duplicate-key' | 'content';

export interface JsonChange {
  kind: JsonChangeKind;
  /** Where, as a JSONPath: `$.data.object.amount`, `$.items[0]`. */
  path: string;
  /** As written in the first body and in the second, printable and clipped. */
  before: string;
  after: string;
}

export interface JsonChanges {
  changes: JsonChange[];
  /** More changes than listed. */
  more: number;
  layout: { before: JsonText['layout']; after: JsonText['layout'] };
  trailingNewline: { before: boolean; after: boolean };
}

const MAX_CHANGES = 20;
const show = (text: string) => printable(text, 48);

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${show(JSON.stringify(key))}]`;
}

const isIntegerText = (raw: string) => /^-?\d+$/.test(raw);

/**
 * How `after` differs from `before`, token by token: numbers re-printed or rounded, escapes
 * decoded, keys re-ordered or merged, and content that differs. Undefined when either is not JSON.
 */
export function jsonChanges(before: string, after: string): JsonChanges | undefined {
  const first = jsonTokens(before);
  const second = jsonTokens(after);
  if (!first || !second) return undefined;
  const a = tree(first.tokens);
  const b = tree(second.tokens);
  if (!a || !b) return undefined;
  const changes: JsonChange[] = [];
  let more = 0;
  const add = (change: JsonChange) => (changes.length < MAX_CHANGES ? changes.push(change) : more++);

  const walk = (x: Node, y: Node, path: string): void => {
    if (x.kind !== y.kind) return void add({ kind: 'content', path, before: show(summary(x)), after: show(summary(y)) });
    switch (x.kind) {
      case 'number': {
        const other = (y as typeof x).raw;
        if (x.raw === other) return;
        if (Number(x.raw) !== Number(other)) return void add({ kind: 'content', path, before: show(x.raw), after: show(other) });
        const rounded = isIntegerText(x.raw) && !Number.isSafeInteger(Number(x.raw)) && (!isIntegerText(other) || BigInt(x.raw) !== BigInt(other));
        return void add({ kind: rounded ? 'big-integer' : 'number', path, before: show(x.raw), after: show(other) });
      }
      case 'string': {
        const other = y as typeof x;
        if (x.raw === other.raw) return;
        return void add({ kind: x.value === other.value ? 'escape' : 'content', path, before: show(x.raw), after: show(other.raw) });
      }
      case 'literal':
        if (x.raw !== (y as typeof x).raw) add({ kind: 'content', path, before: x.raw, after: (y as typeof x).raw });
        return;
      case 'array': {
        const other = (y as typeof x).items;
        if (x.items.length !== other.length) return void add({ kind: 'content', path, before: `${x.items.length} items`, after: `${other.length} items` });
        x.items.forEach((item, index) => walk(item, other[index]!, `${path}[${index}]`));
        return;
      }
      case 'object': {
        const other = (y as typeof x).entries;
        // JSON.parse keeps a repeated key's last value, at its first place.
        const merged = (entries: typeof x.entries) => {
          const map = new Map<string, (typeof entries)[number]>();
          for (const entry of entries) map.set(entry.key, entry);
          return map;
        };
        const mine = merged(x.entries);
        const theirs = merged(other);
        for (const key of mine.keys()) {
          const count = x.entries.filter((entry) => entry.key === key).length;
          if (count > 1 && (theirs.has(key) ? other.filter((entry) => entry.key === key).length : 0) < count) {
            add({ kind: 'duplicate-key', path: childPath(path, key), before: `${count} times`, after: theirs.has(key) ? 'once (the last value kept)' : 'gone' });
          }
        }
        const added = [...theirs.keys()].filter((key) => !mine.has(key));
        const removed = [...mine.keys()].filter((key) => !theirs.has(key));
        if (added.length || removed.length) {
          add({ kind: 'content', path, before: removed.length ? `keys ${show(removed.join(', '))}` : 'no other keys', after: added.length ? `keys ${show(added.join(', '))}` : 'no other keys' });
        } else {
          const order = (map: Map<string, unknown>) => [...map.keys()];
          const orderA = order(mine);
          const orderB = order(theirs);
          if (orderA.some((key, index) => key !== orderB[index])) add({ kind: 'key-order', path, before: show(orderA.join(', ')), after: show(orderB.join(', ')) });
          for (const key of orderA) {
            const entryA = mine.get(key)!;
            const entryB = theirs.get(key)!;
            if (entryA.rawKey !== entryB.rawKey) add({ kind: 'escape', path: childPath(path, key), before: show(entryA.rawKey), after: show(entryB.rawKey) });
            walk(entryA.value, entryB.value, childPath(path, key));
          }
        }
        return;
      }
    }
  };
  walk(a, b, '$');
  return { changes, more, layout: { before: first.layout, after: second.layout }, trailingNewline: { before: first.trailingNewline, after: second.trailingNewline } };
}

function summary(node: Node): string {
  switch (node.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return node.raw;
  }
}

const KIND_NOTE: Partial<Record<JsonChangeKind, string>> = {
  'big-integer': ' (beyond 2^53: JSON.parse rounds it)',
};

/** The changes as one clause for people: `1.0 → 1 at $.amount; "caf\u00e9" → "café" at $.name; …`. */
export function describeJsonChanges(found: JsonChanges, limit = 4): string {
  const parts = found.changes.slice(0, limit).map((change) => {
    if (change.kind === 'key-order') return `key order at ${change.path} (${change.before} → ${change.after})`;
    if (change.kind === 'duplicate-key') return `the repeated key ${change.path} (${change.before} → ${change.after})`;
    return `${change.before} → ${change.after} at ${change.path}${KIND_NOTE[change.kind] ?? ''}`;
  });
  const { layout, trailingNewline } = found;
  if (layout.before !== layout.after) parts.push(`the layout (${layout.before} → ${layout.after})`);
  if (trailingNewline.before !== trailingNewline.after) parts.push(trailingNewline.before ? 'the trailing newline (dropped)' : 'a trailing newline (added)');
  const hidden = found.changes.length - Math.min(found.changes.length, limit) + found.more;
  if (hidden > 0) parts.push(`${hidden} more`);
  return parts.join('; ');
}

/**
 * Integers beyond 2^53 written exactly as JSON.stringify writes a number JSON.parse rounded
 * (820982911946154500 for 820982911946154508): the mark a lossy round trip leaves. A genuine id
 * has such digits about once in a hundred, so this is evidence, not proof.
 */
export function roundedIntegers(text: JsonText): Array<{ path: string; raw: string }> {
  const root = tree(text.tokens);
  const found: Array<{ path: string; raw: string }> = [];
  const walk = (node: Node, path: string): void => {
    if (found.length >= MAX_CHANGES) return;
    if (node.kind === 'number') {
      if (node.raw.length >= 16 && isIntegerText(node.raw) && !Number.isSafeInteger(Number(node.raw)) && String(Number(node.raw)) === node.raw) found.push({ path, raw: node.raw });
    } else if (node.kind === 'array') node.items.forEach((item, index) => walk(item, `${path}[${index}]`));
    else if (node.kind === 'object') for (const entry of node.entries) walk(entry.value, childPath(path, entry.key));
  };
  if (root) walk(root, '$');
  return found;
}
