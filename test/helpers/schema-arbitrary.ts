/**
 * fast-check arbitraries from a JSON Schema (the keywords the contract uses; any other one throws, so a schema that
 * grows a keyword fails here rather than being half generated), and field-by-field mutations of what they generate.
 * Values come out valid by construction except where the schema itself says a rule it cannot check (a duration
 * string's bounds): the test checks each value with a real validator anyway.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { DURATION_PATTERN } from '../../src/domain/duration';

type Schema = Record<string, unknown>;
type Json = unknown;

const KNOWN = new Set([
  ...['$ref', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'allOf', 'anyOf', 'if'],
  ...['then', 'not', 'enum', 'const', 'pattern', 'format', 'maxLength', 'minLength', 'minimum', 'maximum'],
  ...['items', 'maxItems', 'default', 'description', '$schema', '$id', 'title', 'contains'],
]);

export class SchemaArbitraries {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<Schema, ValidateFunction>();

  /** `root` holds the schemas `$ref`s point into (an OpenAPI document, or a JSON Schema with $defs). */
  constructor(private readonly root: Schema) {
    addFormats(this.ajv);
    this.ajv.addSchema({ ...root, $id: 'root' } as object);
  }

  /** Whether `value` is valid by `schema` (a ref is read in the root). */
  valid(schema: Schema, value: Json): boolean {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\//g, '"root#/')) as object);
      this.compiled.set(schema, validate);
    }
    return validate(value);
  }

  arbitrary(schema: Schema): fc.Arbitrary<Json> {
    for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`no arbitrary for keyword ${key}`);
    if (typeof schema.$ref === 'string') return this.arbitrary(this.resolve(schema.$ref));
    const parts = (schema.allOf as Schema[] | undefined) ?? [];
    // A schema that is only an allOf starts from its first part.
    const own = parts.length && !schema.type && !schema.anyOf && !schema.enum && !('const' in schema);
    let arb = own ? this.arbitrary(parts[0]!) : this.base(schema);
    for (const part of own ? parts.slice(1) : parts) {
      if (part.if) {
        arb = arb.chain((value) =>
          this.valid(part.if as Schema, value)
            ? this.arbitrary(part.then as Schema).map((more) => merge(value, more))
            : fc.constant(value),
        );
      } else if (!isPatternOnly(part)) {
        arb = fc.tuple(arb, this.arbitrary(part)).map(([value, more]) => merge(value, more));
      }
    }
    if (schema.not) arb = arb.filter((value) => !this.valid(schema.not as Schema, value));
    return arb;
  }

  private resolve(ref: string): Schema {
    return ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<Schema>((node, key) => node[key] as Schema, this.root);
  }

  private base(schema: Schema): fc.Arbitrary<Json> {
    if ('const' in schema) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...(schema.enum as Json[]));
    if (schema.anyOf) return this.anyOf(schema.anyOf as Schema[]);
    switch (schema.type) {
      case 'object':
        return this.object(schema);
      case 'array':
        return fc.array(this.arbitrary(schema.items as Schema), {
          maxLength: Math.min((schema.maxItems as number | undefined) ?? 3, 3),
        });
      case 'string':
        return this.string(schema);
      case 'number':
      case 'integer': {
        const bounds = { min: schema.minimum as number | undefined, max: schema.maximum as number | undefined };
        const integer = fc.integer({ min: bounds.min ?? -1e9, max: bounds.max ?? 1e9 });
        return schema.type === 'integer'
          ? integer
          : fc.oneof(integer, fc.double({ ...bounds, noNaN: true, noDefaultInfinity: true }));
      }
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case undefined:
        return fc.jsonValue({ maxDepth: 1 });
      default:
        throw new Error(`no arbitrary for type ${String(schema.type)}`);
    }
  }

  /** A duration (a bounded number, or a string in DURATION_PATTERN) mostly as a string within the bounds. */
  private anyOf(branches: Schema[]): fc.Arbitrary<Json> {
    const number = branches.find((b) => b.type === 'number' && b.minimum !== undefined && b.maximum !== undefined);
    const arbs = branches.map((b) => this.arbitrary(b));
    if (!number || !branches.some((b) => b.pattern === DURATION_PATTERN)) return fc.oneof(...arbs);
    const inBounds = fc
      .integer({ min: number.minimum as number, max: number.maximum as number })
      .chain((ms) => fc.constantFrom(`${ms}ms`, ...(ms % 1000 === 0 ? [`${ms / 1000}s`] : [])));
    return fc.oneof({ arbitrary: inBounds, weight: arbs.length * 2 }, ...arbs);
  }

  private object(schema: Schema): fc.Arbitrary<Json> {
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    const record = fc.record(
      Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, this.arbitrary(sub)])),
      { requiredKeys: ((schema.required as string[] | undefined) ?? []).filter((key) => key in properties) },
    );
    const extra = schema.additionalProperties;
    if (extra === undefined || extra === false) return record;
    const free = fc.dictionary(
      fc.string({ maxLength: 6 }).filter((key) => !(key in properties)),
      this.arbitrary(extra === true ? {} : (extra as Schema)),
      { maxKeys: 2 },
    );
    return fc.tuple(free, record).map(([more, value]) => ({ ...more, ...value }));
  }

  private string(schema: Schema): fc.Arbitrary<Json> {
    const patterns = [schema.pattern, ...((schema.allOf as Schema[] | undefined) ?? []).map((p) => p.pattern)]
      .filter((p): p is string => typeof p === 'string')
      .map((p) => new RegExp(p, 'u'));
    const max = (schema.maxLength as number | undefined) ?? 1_000;
    const min = (schema.minLength as number | undefined) ?? 0;
    const first = patterns[0];
    const arb = first
      ? fc.stringMatching(new RegExp(first.source))
      : fc.string({ maxLength: Math.min(max, 20), unit: 'binary' });
    return arb.filter((s) => s.length >= min && s.length <= max && patterns.every((p) => p.test(s)));
  }
}

function isPatternOnly(schema: Schema): boolean {
  return Object.keys(schema).every((key) => key === 'pattern');
}

function merge(value: Json, more: Json): Json {
  if (!isObject(value) || !isObject(more)) return more;
  const out: Record<string, Json> = { ...value };
  for (const [key, v] of Object.entries(more)) out[key] = key in out ? merge(out[key], v) : v;
  return out;
}

function isObject(value: Json): value is Record<string, Json> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** Values people and fuzzers put where they do not belong: blanks, bad text, wrong types, out-of-range numbers. */
const MUTANTS: Json[] = [
  ...['', '   ', '\t', 'x'.repeat(201), '\uD800', 'a\uDC00', '2 parsecs', '2S', ' 2s', '1.s', '-1s', '0ms'],
  ...['99999h', '1000', 'not-a-uuid', 'channelId', 'sms-messagebird:1', 'whatsapp:1', 'http://example.com/x'],
  ...[-1, 0, 0.5, 50, 1e12, true, null, {}, [], [{}]],
];

/** One field of `value` changed: set to a mutant, removed, or given an unknown neighbour. */
export function mutated(valid: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc
    .tuple(valid, fc.nat(), fc.nat({ max: MUTANTS.length + 1 }))
    .map(([value, where, how]) => mutate(value, where, how));
}

function mutate(value: Json, where: number, how: number): Json {
  const copy = structuredClone(value);
  const slots: Array<{ parent: Record<string, Json> | Json[]; key: string | number }> = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) node.forEach((child, i) => (slots.push({ parent: node, key: i }), walk(child)));
    else if (isObject(node))
      for (const [key, child] of Object.entries(node)) (slots.push({ parent: node, key }), walk(child));
  };
  walk(copy);
  if (!slots.length) return MUTANTS[how % MUTANTS.length];
  const { parent, key } = slots[where % slots.length]!;
  if (how === MUTANTS.length) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (how === MUTANTS.length + 1) {
    if (isObject(parent)) parent.unknownField = 1;
    else parent.push(null);
  } else {
    (parent as Record<string | number, Json>)[key] = structuredClone(MUTANTS[how]);
  }
  return copy;
}
