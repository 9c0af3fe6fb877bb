/**
 * The one conversion of the contract's zod schemas to JSON Schema (draft 2020-12), shared by contracts/*.schema.json
 * and the HTTP API's OpenAPI document. zod writes what it can see (types, enums, bounds, patterns, and the meta the
 * domain puts beside a rule it checks in code, such as a duration's); what depends on another field is added here:
 * each template's required `arguments`, one `if template then arguments` per entry of CONNECTOR_ARGUMENTS.
 */
import { z } from 'zod';
import { CONNECTOR_ARGUMENTS, ConnectorSpec } from '../domain/provisioning-input';

type Json = Record<string, unknown>;

/** `schema` as JSON Schema: for `input`, what a caller may write; for `output`, what it is given. */
export function contractJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  return z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'throw',
    override: (ctx) => {
      const json = ctx.jsonSchema as Json;
      // A schema's meta id names its $defs entry; as a keyword it would be draft-04's "id", which 2020-12 does not know.
      delete json.id;
      if (ctx.zodSchema === ConnectorSpec && io === 'input') json.allOf = templateArgumentRules();
    },
  }) as Json;
}

/** For each template with arguments of its own: when the connector is of that template, its arguments are those. */
function templateArgumentRules(): Json[] {
  return Object.entries(CONNECTOR_ARGUMENTS).map(([template, args]) => {
    const { $schema: _drop, ...argumentsSchema } = z.toJSONSchema(args, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'throw',
    }) as Json;
    return {
      if: { properties: { connectorTemplateRef: { const: template } }, required: ['connectorTemplateRef'] },
      then: { properties: { arguments: argumentsSchema }, required: ['arguments'] },
    };
  });
}
