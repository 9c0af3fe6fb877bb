/**
 * Properties of every door bad input comes in by: the provisioning input schema (and the typed client that starts
 * runs with it), the bulk defaults, the CSV and JSON Lines readers with the row validation behind them, and the
 * webhook receiver's body handling. Each says: invalid input is refused before anything starts, every refusal names
 * its field or line, and nothing throws anything but the documented error (no stack reaches a person).
 *
 * Shared by test/fuzz-input.test.ts (a bounded number of runs, in every test run) and the fault suite's bad-input
 * scenario (many more runs, counted in its table).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { randomInt } from 'node:crypto';
import { ChannelEvent, WebhookHeaders } from '../../src/bird/events';
import { SMS_CHANNEL_MESSAGE_TYPES } from '../../src/bird/schemas';
import { signWebhook } from '../../src/bird/signature';
import { InventoryFileError, parseCsv, parseJsonLines } from '../../src/bulk/inventory-file';
import { parseAndStartProvisioning } from '../../src/client/provisioning-client';
import {
  buildInventory,
  InvalidBulkDefaults,
  parseBulkDefaults,
  ROW_COLUMNS,
  type BulkDefaults,
} from '../../src/domain/bulk-input';
import { InvalidProvisioningInput, parseProvisioningInput } from '../../src/domain/provisioning-input';
import { Secret } from '../../src/base/secret';
import { buildWebhookReceiver } from '../../src/webhook-receiver/server';

export interface NamedProperty {
  name: string;
  /**
   * Runs the property `numRuns` times (after its fixed examples) from `seed`, a fresh one if not given; rejects with
   * a PropertyFailed that names the seed and path on a failure.
   */
  check: (numRuns: number, seed?: number) => Promise<void>;
}

/** How to run every property again from one seed: the same seed generates the same inputs, failure included. */
export const REPLAY_HINT = (seed: number) =>
  `replay: FUZZ_SEED=${seed} npx mocha test/fuzz-input.test.ts, or npm run chaos -- --seed ${seed} --only bad-input`;

/**
 * A property's failure, seed and path first: the error the check threw (the product's, or the oracle's own: which
 * one is the first question) and the counterexample, on separate lines, so a report cut to its first lines still
 * says how to replay it.
 */
export class PropertyFailed extends Error {
  constructor(
    readonly property: string,
    readonly seed: number,
    readonly path: string | null,
    readonly runs: number,
    cause: unknown,
    counterexample: string,
  ) {
    const why =
      cause instanceof Error
        ? `${cause.name}: ${cause.message}`
        : cause === null
          ? 'interrupted or too many skipped values'
          : fc.stringify(cause);
    super(`failed after ${runs} tests, seed ${seed}${path ? `, path "${path}"` : ''} (${REPLAY_HINT(seed)})
  error: ${why}
  counterexample: ${counterexample}`);
    this.name = 'PropertyFailed';
  }
}

/** A fresh 32-bit seed, as fast-check draws its own. */
export function freshSeed(): number {
  return randomInt(0, 2 ** 31);
}

/** `examples`: counterexamples found once, run first on every check so they stay fixed. */
export function namedProperty<Ts extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  examples: Ts[] = [],
): NamedProperty {
  return {
    name,
    check: async (numRuns, seed = freshSeed()) => {
      const run = await fc.check(property as fc.IAsyncProperty<Ts>, { numRuns, seed, examples });
      if (run.failed)
        throw new PropertyFailed(
          name,
          run.seed,
          run.counterexamplePath,
          run.numRuns,
          run.errorInstance,
          fc.stringify(run.counterexample).slice(0, 2_000),
        );
    },
  };
}

const WORKSPACE = '8f0a1c2e-4b5d-4e6f-8a9b-0c1d2e3f4a5b';
const ORGANIZATION = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const TOP_LEVEL = ['workspaceId', 'organizationId', 'connector', 'readiness', 'subscriptions'];
const STACK_LINE = /\n\s+at \S/;

/** The field a problem names, if any. */
function fieldOf(problem: { field?: string }): string | undefined {
  return problem.field || undefined;
}

/**
 * A field as the product names it, read back: dot-separated path segments, the last of which may list several keys
 * (unknown keys are named together, ", "-separated); a key that is not a plain name is quoted as JSON, e.g.
 * `readiness.",", x`. Undefined if it cannot be read back that way.
 */
export function readFieldName(field: string): { path: string[]; keys: string[] } | undefined {
  const path: string[] = [];
  let keys: string[] = [];
  let i = 0;
  for (;;) {
    let key: string;
    if (field[i] === '"') {
      let end = i + 1;
      while (end < field.length && field[end] !== '"') end += field[end] === '\\' ? 2 : 1;
      if (end >= field.length) return undefined;
      try {
        key = JSON.parse(field.slice(i, end + 1)) as string;
      } catch {
        return undefined;
      }
      i = end + 1;
    } else {
      key = /^[^.,"]+/.exec(field.slice(i))?.[0] ?? '';
      if (!key) return undefined;
      i += key.length;
    }
    keys.push(key);
    if (i === field.length) return { path, keys };
    if (field.startsWith(', ', i)) i += 2;
    else if (field[i] === '.' && keys.length === 1) {
      path.push(key);
      keys = [];
      i++;
    } else return undefined;
  }
}

/** The top-level field(s) a field name is under: its first segment, or the keys it lists at the top. */
function topFieldsOf(field: string): string[] {
  const named = readFieldName(field);
  if (!named) return [];
  return named.path.length ? [named.path[0]!] : named.keys;
}

/** Whether a refusal names a field of the input: "(root)", under a field of the schema, or keys the input has. */
function namesInputField(field: string, keys: string[]): boolean {
  const tops = topFieldsOf(field);
  return tops.length > 0 && tops.every((top) => top === '(root)' || TOP_LEVEL.includes(top) || keys.includes(top));
}

function fail(message: string): never {
  throw new Error(message);
}

const validInput = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 40 }).filter((name) => name.trim() !== ''),
    phoneNumberId: fc.uuid(),
    type: fc.constantFrom(...SMS_CHANNEL_MESSAGE_TYPES),
    mode: fc.constantFrom('poll', 'webhook', 'both'),
  })
  .map((r) => ({
    workspaceId: WORKSPACE,
    organizationId: ORGANIZATION,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: r.name,
      arguments: { phoneNumberId: r.phoneNumberId, channelMessageType: r.type },
    },
    readiness: { mode: r.mode },
  }));

const MUTABLE_PATHS: string[][] = [
  ['workspaceId'],
  ['organizationId'],
  ['connector'],
  ['connector', 'connectorTemplateRef'],
  ['connector', 'name'],
  ['connector', 'arguments'],
  ['connector', 'arguments', 'phoneNumberId'],
  ['connector', 'arguments', 'channelMessageType'],
  ['connector', 'securityArguments'],
  ['connector', 'securityArgumentsRef'],
  ['readiness'],
  ['readiness', 'mode'],
  ['readiness', 'deadline'],
  ['readiness', 'initialPollInterval'],
  ['readiness', 'maxPollInterval'],
  ['subscriptions'],
  ['somethingElse'],
];

const REMOVE = Symbol('remove');
const oddValue = fc.oneof(
  fc.constant(REMOVE),
  fc.constant(null),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('', ' ', '-1s', '10 years', '1e400', 'NaN', '../../etc', '\u0000', '\uD800', 'x'.repeat(70_000)),
);

/** A valid input with one value at one path replaced (or removed): the common shape of a mistake. */
export const mutatedInput = fc
  .tuple(validInput, fc.constantFrom(...MUTABLE_PATHS), oddValue)
  .map(([input, path, value]) => {
    const copy = structuredClone(input) as Record<string, unknown>;
    let node: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      if (!node[key] || typeof node[key] !== 'object') node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (value === REMOVE) delete node[last];
    else node[last] = value;
    return { input: copy as unknown, path };
  });

/** Anything at all, from a mutated valid input to arbitrary values and objects with unknown keys. */
const anyInput = fc.oneof(
  mutatedInput.map((m) => m.input),
  fc.anything({ maxDepth: 3 }),
  validInput,
);

function checkProvisioningRefusal(err: unknown, keys: string[]): InvalidProvisioningInput {
  if (!(err instanceof InvalidProvisioningInput)) fail(`threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
  if (!err.problems.length) fail('refused with no problem named');
  for (const p of err.problems) {
    const field = fieldOf(p);
    if (!field) fail(`a problem names no field: ${JSON.stringify(p)}`);
    if (!namesInputField(field, keys)) fail(`${JSON.stringify(p)} names a field the input does not have`);
  }
  if (STACK_LINE.test(err.message)) fail('the message carries a stack trace');
  return err;
}

export function provisioningProperties(): NamedProperty[] {
  return [
    namedProperty(
      'a mutated provisioning input is accepted or refused naming the field that was changed',
      fc.property(mutatedInput, ({ input, path }) => {
        try {
          parseProvisioningInput(input);
        } catch (err) {
          const refusal = checkProvisioningRefusal(err, Object.keys(input as object));
          if (
            !refusal.problems.some((p) => topFieldsOf(fieldOf(p)!).some((top) => top === path[0] || top === '(root)'))
          ) {
            fail(`changed ${path.join('.')} but the refusal names ${refusal.problems.map(fieldOf).join(', ')}`);
          }
        }
      }),
    ),
    namedProperty(
      'invalid input never starts a workflow; valid input starts exactly the parsed one',
      fc.asyncProperty(anyInput, async (input) => {
        const starts: Array<{ args: unknown[] }> = [];
        const client = {
          workflow: {
            start: async (_wf: unknown, opts: { args: unknown[] }) => (
              starts.push(opts),
              { firstExecutionRunId: 'run' }
            ),
            // No offboarding runs for any number here.
            getHandle: (workflowId: string) => ({
              describe: () => Promise.reject(new WorkflowNotFoundError('not found', workflowId, undefined)),
            }),
          },
        } as unknown as Client;
        let parsed: unknown;
        try {
          parsed = parseProvisioningInput(input);
        } catch {
          parsed = undefined;
        }
        try {
          await parseAndStartProvisioning(client, input, { taskQueue: 'fuzz' });
        } catch (err) {
          checkProvisioningRefusal(err, input && typeof input === 'object' ? Object.keys(input) : []);
          if (starts.length) fail('a refused input started a workflow');
          return;
        }
        if (parsed === undefined) fail('an input the schema refuses was started');
        // The parsed input, with the secret check inside the create and the first read after a timer unless the
        // caller chose otherwise.
        const { secretCheck, readiness } = parsed as { secretCheck?: string; readiness: { firstPollWait?: string } };
        const expected = {
          ...(parsed as object),
          secretCheck: secretCheck ?? 'with-create',
          readiness: { ...readiness, firstPollWait: readiness.firstPollWait ?? 'timer' },
        };
        if (starts.length !== 1 || JSON.stringify(starts[0]!.args[0]) !== JSON.stringify(expected))
          fail('the started input is not the parsed one');
      }),
    ),
  ];
}

const defaults = (): BulkDefaults =>
  parseBulkDefaults({
    workspaceId: WORKSPACE,
    organizationId: ORGANIZATION,
    connector: {
      connectorTemplateRef: 'sms-messagebird:1',
      name: 'Fuzz',
      arguments: { channelMessageType: 'transactional' },
    },
  });

const cell = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.constant(''),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'not-a-uuid',
    'quoted, comma',
    'a "quote"',
    ' padded ',
    'promotional',
    'sms-messagebird:1',
    'whatsapp:1',
  ),
);
const csvRecord = fc.record({
  phoneNumberId: cell,
  name: fc.option(cell, { nil: undefined }),
  channelMessageType: fc.option(cell, { nil: undefined }),
  connectorTemplateRef: fc.option(cell, { nil: undefined }),
});

/** `keysOf(line)`: for JSON lines, the line's own keys, by which an unknown field is named. */
function checkRows(
  read: ReturnType<typeof parseCsv>,
  lineCount: number,
  keysOf: (line: number) => string[] = () => [],
): void {
  const inventory = buildInventory(defaults(), read.rows);
  for (const r of inventory.valid) parseProvisioningInput(r.input); // throws if an invalid row slipped through
  // Unreadable lines (not JSON, a wrong number of fields) are named by their line; rows that were read, by line and field.
  for (const r of read.unreadable) {
    if (!(r.line >= 1 && r.line <= lineCount)) fail(`line ${r.line} of ${lineCount} reported unreadable`);
    if (!r.problems.length) fail(`line ${r.line} refused with no problem`);
  }
  for (const r of inventory.invalid) {
    if (!(r.line >= 1 && r.line <= lineCount)) fail(`row reported at line ${r.line} of ${lineCount}`);
    if (!r.problems.length) fail(`line ${r.line} refused with no problem`);
    for (const p of r.problems) {
      const field = fieldOf(p);
      if (!field) fail(`line ${r.line}: a problem names no field: ${JSON.stringify(p)}`);
      // A JSON line is named by its path in the provisioning input ("(root)" for the line as a whole, or a key "").
      if (
        !ROW_COLUMNS.includes(field) &&
        !/\(from the defaults\)$/.test(field) &&
        !namesInputField(field, keysOf(r.line))
      ) {
        fail(`line ${r.line}: ${JSON.stringify(p)} names no column or field`);
      }
    }
  }
}

/**
 * Counterexamples found by the fault suite, kept as fixed examples. Issue 17 (seed 1785237381, path
 * "1334:2:1:1:1:1:1:1:1:8:8"): an unknown key that is not a plain name, under a known field (`readiness.","`), which
 * the oracle could not read back; and a blank name.
 */
export const JSON_LINES_EXAMPLES: Array<[string[]]> = [
  [
    [
      `{"workspaceId":"${WORKSPACE}","organizationId":"${ORGANIZATION}","connector":{"connectorTemplateRef":"sms-messagebird:1","name":" ","arguments":{"phoneNumberId":"00000000-0000-1000-8000-000000000000","channelMessageType":"promotional"}},"readiness":{",":[]}}`,
    ],
  ],
];

/** The JSON Lines property's check of one file (its lines): throws what is wrong, whether the product's or the oracle's. */
export function checkJsonLines(lines: string[]): void {
  const text = lines.join('\n');
  const keysOf = (line: number) => {
    try {
      const v = JSON.parse(lines[line - 1] ?? '') as unknown;
      return v && typeof v === 'object' ? Object.keys(v) : [];
    } catch {
      return [];
    }
  };
  checkRows(parseJsonLines(text), lines.length, keysOf);
}

export function bulkProperties(): NamedProperty[] {
  return [
    namedProperty(
      'CSV rows: every refused row names its line (the right one) and its column; every accepted row is a valid input',
      fc.property(fc.array(csvRecord, { minLength: 1, maxLength: 30 }), (records) => {
        const columns = ['phoneNumberId', 'name', 'channelMessageType', 'connectorTemplateRef'];
        const text = stringify(
          records.map((r) => columns.map((c) => r[c as keyof typeof r] ?? '')),
          { header: true, columns },
        );
        const read = parseCsv(text);
        checkRows(read, text.split('\n').length);
        const inventory = buildInventory(defaults(), read.rows);
        if (inventory.valid.length + inventory.invalid.length + read.unreadable.length !== records.length)
          fail('a row was lost');
        // Cells hold no newline here, so record i is on line i + 2 (line 1 is the header).
        for (const r of inventory.invalid) {
          // csv-parse trims outside quotes only, so a quoted cell may keep its spaces.
          const written = records[r.line - 2]?.phoneNumberId;
          if (
            r.phoneNumberId !== undefined &&
            written !== undefined &&
            r.phoneNumberId !== written &&
            r.phoneNumberId !== written.trim()
          )
            fail(`line ${r.line} reported with number ${r.phoneNumberId}, the file has ${written}`);
        }
      }),
    ),
    namedProperty(
      'any text as a CSV file: read or refused with InventoryFileError naming a line; never another exception',
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc
            .array(
              fc.constantFrom(
                'phoneNumberId',
                ',',
                '"',
                '\n',
                '\r\n',
                '\uFEFF',
                'x',
                'name',
                '00000000-0000-4000-8000-000000000000',
              ),
              { maxLength: 60 },
            )
            .map((a) => a.join('')),
        ),
        (text) => {
          let read;
          try {
            read = parseCsv(text);
          } catch (err) {
            if (!(err instanceof InventoryFileError)) fail(`threw ${(err as Error).name}: ${(err as Error).message}`);
            if (!/^line \d+: |^the file is empty/.test(err.message)) fail(`a file error names no line: ${err.message}`);
            return;
          }
          checkRows(read, text.split('\n').length + 1);
        },
      ),
    ),
    namedProperty(
      'any text as a JSON Lines file: every line read or refused with its number; never an exception',
      fc.property(
        fc.array(
          fc.oneof(
            fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
            fc.string({ maxLength: 40 }),
            mutatedInput.map((m) => JSON.stringify(m.input)),
          ),
          { maxLength: 15 },
        ),
        checkJsonLines,
      ),
      JSON_LINES_EXAMPLES,
    ),
    namedProperty(
      'bulk defaults: accepted, or refused naming each bad field',
      fc.property(
        fc.oneof(
          fc.anything({ maxDepth: 3 }),
          mutatedInput.map((m) => m.input),
        ),
        (raw) => {
          try {
            parseBulkDefaults(raw);
          } catch (err) {
            if (!(err instanceof InvalidBulkDefaults)) fail(`threw ${(err as Error).name}: ${(err as Error).message}`);
            for (const p of err.problems) if (!fieldOf(p)) fail(`a problem names no field: ${JSON.stringify(p)}`);
          }
        },
      ),
    ),
  ];
}

const RECEIVER_URL = 'https://hooks.fuzz.example/bird/events';
const RECEIVER_KEY = 'fuzz-signing-key-0123456789';

const validEvent = fc
  .record({
    channelId: fc.uuid(),
    connectorId: fc.uuid(),
    status: fc.constantFrom('ok', 'pending', 'error'),
    stage: fc.constantFrom('active', 'provisioning', 'inactive'),
  })
  .map((p) => ({ service: 'channels', event: 'channel.updated', payload: p }));
const body = fc.oneof(
  validEvent.map((e) => JSON.stringify(e)),
  fc
    .tuple(validEvent, fc.constantFrom('service', 'event', 'payload'), fc.jsonValue({ maxDepth: 2 }))
    .map(([e, k, v]) => JSON.stringify({ ...e, [k]: v })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '',
    '{',
    'null',
    '[]',
    '"x"',
    '{"service":"channels","event":"channel.updated","payload":{"channelId":"x"}}',
    'x'.repeat(5_000),
  ),
);
const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  '*/*',
  '',
);

export function receiverProperties(): NamedProperty[] {
  return [
    namedProperty(
      'receiver: any body, signed or not, under any content type: a 2xx/4xx answer, no stack, routed only if it is a genuine channel event',
      fc.asyncProperty(body, contentType, fc.boolean(), async (payload, type, signed) => {
        const routed: unknown[] = [];
        const app = buildWebhookReceiver({
          signingKey: new Secret(RECEIVER_KEY),
          publicUrl: RECEIVER_URL,
          maxBodyBytes: 4_096,
          route: async (event) => (routed.push(event), { outcome: 'accepted', workflowId: 'w' }),
        });
        try {
          const timestamp = String(Math.floor(Date.now() / 1000));
          const headers: Record<string, string> = {
            [WebhookHeaders.timestamp]: timestamp,
            [WebhookHeaders.requestId]: 'r',
          };
          if (type !== undefined) headers['content-type'] = type;
          if (signed) headers[WebhookHeaders.signature] = signWebhook(RECEIVER_KEY, timestamp, RECEIVER_URL, payload);
          const res = await app.inject({ method: 'POST', url: '/bird/events', headers, payload });
          if (res.statusCode >= 500 && res.statusCode !== 503) fail(`answered ${res.statusCode}: ${res.body}`);
          if (STACK_LINE.test(res.body) || res.body.includes(RECEIVER_KEY))
            fail(`the answer leaks: ${res.body.slice(0, 200)}`);
          let genuine = false;
          try {
            genuine = ChannelEvent.safeParse(JSON.parse(payload)).success;
          } catch {
            genuine = false;
          }
          const fits = Buffer.byteLength(payload) <= 4_096;
          if (routed.length && !(signed && genuine))
            fail(`routed a ${signed ? 'non-event' : 'unsigned delivery'} (${res.statusCode})`);
          if (signed && genuine && fits && routed.length !== 1)
            fail(`a signed genuine event was not routed (${res.statusCode} ${res.body})`);
          if (!signed && res.statusCode !== 401 && res.statusCode !== 413 && res.statusCode !== 415)
            fail(`an unsigned delivery answered ${res.statusCode}`);
        } finally {
          await app.close();
        }
      }),
    ),
  ];
}

export function allProperties(): NamedProperty[] {
  return [...provisioningProperties(), ...bulkProperties(), ...receiverProperties()];
}
