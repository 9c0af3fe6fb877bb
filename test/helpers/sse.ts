/**
 * A Server-Sent Events stream of the HTTP API read to its end, each event checked against the served OpenAPI
 * document's per-event schema and its data against the progress schema (as a fuzzer reads the stream).
 */
import assert from 'node:assert/strict';
import type { ApiHarness } from './http-api';
import { SchemaArbitraries } from './schema-arbitrary';

export interface StreamedEvent {
  event: string;
  data: unknown;
}

/** GET `path` as a stream (it ends when the run has ended); `eventSchema` and `dataSchema` name components. */
export async function readEvents(
  api: ApiHarness,
  path: string,
  schemas: { event: string; data: string },
): Promise<StreamedEvent[]> {
  const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.keyA}` } });
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const stream = await response.text();
  const document = new SchemaArbitraries((await (await fetch(`${api.url}/openapi.json`)).json()) as never);
  const blocks = stream.split('\n\n').filter((block) => /^data:/m.test(block));
  return blocks.map((block) => {
    const lines = block.split('\n').filter((line) => !line.startsWith(':'));
    const fields = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    assert.ok(document.valid({ $ref: `#/components/schemas/${schemas.event}` }, fields), block);
    const data: unknown = JSON.parse(fields.data!);
    assert.ok(document.valid({ $ref: `#/components/schemas/${schemas.data}` }, data), block);
    return { event: fields.event!, data };
  });
}
