/**
 * deploy/k8s is for users; no cluster runs here or in CI, so the manifests are checked statically:
 *  - kubeconform (built from the Go module proxy by scripts/kubeconform.sh) validates every resource, strictly,
 *    against the Kubernetes 1.33 JSON schemas from PyPI's kubernetes-validate and KEDA's ScaledObject CRD schema
 *    from KEDA's Go module (there is no network for kubeconform's own schema download);
 *  - and against the code, as test/compose.test.ts does for Compose: every variable is one a config reader reads and
 *    parses with it, ports and probes are the ones the processes listen on, the drain fits the grace period, memory
 *    matches the measured peak, KEDA watches the task queues the worker serves, the Job registers the attributes,
 *    and the HTTP API's probe is a path the API serves without a key.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseAllDocuments, parseDocument } from 'yaml';
import { API_KEY_ENV_PREFIX, apiKeysFromEnv } from '../src/api/api-keys';
import { ApiServerEnv } from '../src/api/main';
import { buildApiServer } from '../src/api/server';
import { samplerFromEnv, TRACING_ENV_VARS } from '../src/observability/tracing';
import { bulkStoreFromEnv } from '../src/bulk/store-env';
import { CodecServerEnv } from '../src/codec/main';
import { ACTIVE_KEY_VAR, KEY_VAR_PREFIX, payloadCodecFromEnv } from '../src/codec/env';
import { EnvSchema } from '../src/config/app-config';
import { parseDuration } from '../src/domain/duration';
import { PROVISIONING_SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { deploymentTaskQueues } from '../src/bird/rate-limits/queues';
import { SECRET_ENV_PREFIX } from '../src/config/secrets';
import { ReceiverEnv } from '../src/webhook-receiver/main';
import { WorkerEnv } from '../src/worker/env';

const ROOT = path.resolve(__dirname, '..');
const K8S = path.join(ROOT, 'deploy', 'k8s');

// The parts of the manifests this file reads (kubeconform checks the whole shape against the schemas).
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}
interface Probe {
  httpGet: { path: string; port: string };
  periodSeconds: number;
  failureThreshold: number;
}
interface Container {
  image: string;
  command: string[];
  args: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef: { name: string } }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe: Probe;
  lifecycle: { preStop: { exec: { command: string[] } } };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
}
interface Spec {
  replicas: number;
  maxUnavailable: number;
  template: {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    spec: { containers: Container[]; terminationGracePeriodSeconds: number; restartPolicy: string };
  };
  selector: { matchLabels?: Record<string, string>; [label: string]: unknown };
  ports: { name?: string; port?: number; targetPort: string }[];
  scaleTargetRef: { name: string };
  triggers: { type: string; metadata: Record<string, string> }[];
  minReplicaCount: number;
  maxReplicaCount: number;
}
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Spec;
  data?: Record<string, string>;
}
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function resourceFiles(): string[] {
  const kustomization = parseDocument(readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8')).toJS() as {
    resources: string[];
  };
  return kustomization.resources.map((f) => path.join(K8S, f));
}

function loadResources(): Resource[] {
  return resourceFiles().flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true }).map((doc) => {
      assert.deepEqual(doc.errors.map(String), [], `${file} parses`);
      return doc.toJS() as Resource;
    }),
  );
}

/** The kubernetes-validate schemas refer to one /api/_definitions.json; kubeconform wants each kind standalone. */
function standaloneSchemas(tools: string, kinds: Resource[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'k8s-schemas-'));
  const src = path.join(tools, 'k8s-schemas', 'kubernetes', 'v1.33.0');
  const defs = (JSON.parse(readFileSync(path.join(src, '_definitions.json'), 'utf8')) as { $defs: unknown }).$defs;
  for (const r of kinds) {
    const name = schemaName(r);
    if (r.apiVersion.startsWith('keda.sh/')) continue;
    const text = readFileSync(path.join(src, name), 'utf8').replaceAll('"/api/_definitions.json#', '"#');
    writeFileSync(path.join(dir, name), JSON.stringify({ ...(JSON.parse(text) as object), $defs: defs }));
  }
  const crd = parseDocument(
    readFileSync(path.join(tools, 'k8s-schemas', 'keda', 'scaledobjects.yaml'), 'utf8'),
  ).toJS() as { spec: { versions: { name: string; schema: { openAPIV3Schema: Json } }[] } };
  const version = crd.spec.versions.find((v) => v.name === 'v1alpha1');
  assert.ok(version, 'KEDA serves ScaledObject v1alpha1');
  writeFileSync(
    path.join(dir, 'scaledobject-keda-v1alpha1.json'),
    JSON.stringify(strict(version.schema.openAPIV3Schema)),
  );
  return dir;
}

/** kubeconform's -strict for a CRD: objects with declared properties take no others (as openapi2jsonschema does). */
function strict(node: Json): Json {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strict(v)]));
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields'])
    out.additionalProperties = false;
  return out;
}

/** kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}: deployment-apps-v1, configmap-v1, scaledobject-keda-v1alpha1. */
function schemaName(r: Pick<Resource, 'apiVersion' | 'kind'>): string {
  const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') : ['', r.apiVersion];
  return `${r.kind.toLowerCase()}${group ? `-${group.split('.')[0]}` : ''}-${version}.json`;
}

function kubeconform(tools: string, schemas: string, files: string[]): { code: number; out: string } {
  const res = spawnSync(
    path.join(tools, 'bin', 'kubeconform'),
    [
      '-strict',
      '-summary',
      '-output',
      'json',
      '-schema-location',
      path.join(schemas, '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
      ...files,
    ],
    { encoding: 'utf8' },
  );
  return { code: res.status ?? -1, out: `${res.stdout}${res.stderr}` };
}

describe('deploy/k8s (Kubernetes manifests)', function () {
  this.timeout(600_000); // scripts/kubeconform.sh builds kubeconform once on a fresh clone
  const resources = loadResources();
  const byKind = (kind: string, name: string) => {
    const r = resources.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(r, `a ${kind} ${name}`);
    return r;
  };
  const configMaps = Object.fromEntries(
    resources.filter((r) => r.kind === 'ConfigMap').map((r) => [r.metadata.name, r.data ?? {}]),
  );
  const container = (deployment: string): Container =>
    byKind('Deployment', deployment).spec.template.spec.containers[0]!;
  /** A container's environment as the process sees it: ConfigMaps via envFrom, then env (secrets as placeholders). */
  const envOf = (
    c: Container,
    placeholder = (key: string) => `placeholder-${key}-0123456789abcdef`,
  ): Record<string, string> => ({
    ...Object.fromEntries(
      (c.envFrom ?? []).flatMap((e) =>
        Object.entries(configMaps[e.configMapRef.name] ?? assert.fail(`ConfigMap ${e.configMapRef.name} exists`)),
      ),
    ),
    ...Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? placeholder(e.valueFrom!.secretKeyRef.key)])),
  });
  let tools: string;
  let schemas: string;

  before(() => {
    tools = execFileSync('bash', [path.join(ROOT, 'scripts', 'kubeconform.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    schemas = standaloneSchemas(tools, resources);
  });
  after(() => schemas && rmSync(schemas, { recursive: true, force: true }));

  it('lists every manifest in kustomization.yaml, and only those', () => {
    const listed = resourceFiles()
      .map((f) => path.basename(f))
      .sort();
    const present = readdirSync(K8S)
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .sort();
    assert.deepEqual(listed, present);
  });

  it('validates strictly against the Kubernetes 1.33 and KEDA ScaledObject schemas (kubeconform)', () => {
    const { code, out } = kubeconform(tools, schemas, resourceFiles());
    const summary = JSON.parse(out) as { summary: { valid: number; invalid: number; errors: number; skipped: number } };
    assert.equal(code, 0, out);
    assert.deepEqual(summary.summary, { valid: resources.length, invalid: 0, errors: 0, skipped: 0 });
  });

  it('the schema check is not vacuous: an unknown field, a wrong type, a bad KEDA trigger are refused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-broken-'));
    try {
      const cases = [
        readFileSync(path.join(K8S, 'worker.yaml'), 'utf8').replace('  replicas: 2', '  replica: 2'),
        readFileSync(path.join(K8S, 'worker.yaml'), 'utf8').replace('containerPort: 9464', 'containerPort: "metrics"'),
        readFileSync(path.join(K8S, 'worker-scaledobject.yaml'), 'utf8').replace(
          'minReplicaCount: 1',
          'minReplicas: 1',
        ),
      ];
      cases.forEach((text, i) => {
        const file = path.join(dir, `broken-${i}.yaml`);
        assert.notEqual(
          text,
          readFileSync(path.join(K8S, i === 2 ? 'worker-scaledobject.yaml' : 'worker.yaml'), 'utf8'),
          `case ${i} changes something`,
        );
        writeFileSync(file, text);
        assert.equal(kubeconform(tools, schemas, [file]).code, 1, `case ${i} is refused`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names only environment variables the code reads, and their values parse with its config readers', () => {
    const known = new Set<string>([
      ...Object.keys(EnvSchema.shape),
      ...Object.keys(ReceiverEnv.shape),
      ...Object.keys(WorkerEnv.shape),
      ...Object.keys(CodecServerEnv.shape),
      ...Object.keys(ApiServerEnv.shape),
      'API_KEYS',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_API_KEY',
      'TEMPORAL_PROFILE',
      'TEMPORAL_CONFIG_FILE',
      ACTIVE_KEY_VAR,
      ...TRACING_ENV_VARS,
      // Read by Node itself: the V8 heap limit.
      'NODE_OPTIONS',
    ]);
    const apps = ['worker', 'webhook-receiver', 'codec-server', 'http-api'];
    for (const name of apps) {
      for (const variable of Object.keys(envOf(container(name)))) {
        assert.ok(
          known.has(variable) ||
            [SECRET_ENV_PREFIX, KEY_VAR_PREFIX, API_KEY_ENV_PREFIX].some(
              (p) => variable.startsWith(p) && variable.length > p.length,
            ),
          `${name}: ${variable} is read by no code`,
        );
      }
    }
    const key = Buffer.alloc(32, 7).toString('base64');
    const withKey = (c: Container) =>
      envOf(c, (k) => (k.startsWith('PAYLOAD_ENCRYPTION_KEY_') ? key : `placeholder-${k}-0123456789abcdef`));
    const worker = withKey(container('worker'));
    assert.equal(WorkerEnv.safeParse(worker).success, true, JSON.stringify(WorkerEnv.safeParse(worker).error?.issues));
    assert.equal(EnvSchema.safeParse(worker).success, true);
    assert.match(
      bulkStoreFromEnv(worker).dir,
      /^s3:\/\//,
      'the workers share an object store, not a node-local directory',
    );
    const receiver = withKey(container('webhook-receiver'));
    assert.equal(
      ReceiverEnv.safeParse(receiver).success,
      true,
      JSON.stringify(ReceiverEnv.safeParse(receiver).error?.issues),
    );
    const codec = withKey(container('codec-server'));
    assert.equal(CodecServerEnv.safeParse(codec).success, true);
    const api = withKey(container('http-api'));
    assert.equal(ApiServerEnv.safeParse(api).success, true, JSON.stringify(ApiServerEnv.safeParse(api).error?.issues));
    assert.equal(EnvSchema.safeParse(api).success, true);
    const { keys, problems } = apiKeysFromEnv(api);
    assert.deepEqual(problems, [], 'API_KEYS and each API_KEY_<NAME> parse');
    assert.ok(keys.length > 0, 'the API has a key');
    assert.match(bulkStoreFromEnv(api).dir, /^s3:\/\//, 'bulk uploads land where the workers read them');
    for (const env of [worker, receiver, codec, api])
      assert.ok(payloadCodecFromEnv(env), 'payload encryption keys parse');
  });

  it('wires ports and probes to what the processes listen on', () => {
    const portOf = (c: Container, name: string) => c.ports.find((p) => p.name === name)?.containerPort;
    const w = container('worker');
    const wenv = WorkerEnv.parse(envOf(w));
    assert.equal(wenv.WORKER_HTTP_HOST, '0.0.0.0', 'reachable by the kubelet and Prometheus');
    assert.equal(portOf(w, 'health'), wenv.WORKER_HEALTH_PORT);
    assert.equal(portOf(w, 'metrics'), wenv.WORKER_METRICS_PORT);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const)
      assert.deepEqual(w[probe].httpGet, { path: '/healthz', port: 'health' }, probe);
    assert.match(
      readFileSync(path.join(ROOT, 'src', 'observability', 'health.ts'), 'utf8'),
      /req\.url === '\/healthz'/,
    );
    const pod = byKind('Deployment', 'worker').spec.template;
    assert.equal(pod.metadata.annotations['prometheus.io/port'], String(wenv.WORKER_METRICS_PORT));

    for (const [name, envPort, source] of [
      [
        'webhook-receiver',
        ReceiverEnv.parse({ ...envOf(container('webhook-receiver')), WEBHOOK_PUBLIC_URL: 'https://x.example/bird' })
          .RECEIVER_PORT,
        'webhook-receiver/server.ts',
      ],
      ['codec-server', CodecServerEnv.parse(envOf(container('codec-server'))).CODEC_SERVER_PORT, 'codec/server.ts'],
    ] as const) {
      const c = container(name);
      assert.equal(portOf(c, 'http'), envPort, `${name} listens where its port says`);
      assert.deepEqual(c.readinessProbe.httpGet, { path: '/healthz', port: 'http' });
      assert.match(readFileSync(path.join(ROOT, 'src', source), 'utf8'), /app\.get\('\/healthz'/);
      const svc = byKind('Service', name);
      assert.deepEqual(
        svc.spec.selector,
        byKind('Deployment', name).spec.template.metadata.labels,
        `Service ${name} selects its pods`,
      );
      assert.equal(svc.spec.ports[0]!.targetPort, 'http');
    }
  });

  it('probes the HTTP API on the path it serves without a key, even with Temporal away, on the port it listens on', async () => {
    const c = container('http-api');
    const env = ApiServerEnv.parse(envOf(c));
    assert.equal(env.API_HOST, '0.0.0.0', 'reachable by the kubelet and the Service');
    assert.equal(c.ports.find((p) => p.name === 'http')?.containerPort, env.API_PORT);
    const probe = c.readinessProbe.httpGet;
    assert.equal(probe.port, 'http');
    assert.deepEqual(c.livenessProbe.httpGet, probe);
    const measured = /HTTP API peak RSS ([\d,]+) MiB/.exec(
      readFileSync(path.join(ROOT, 'docs', 'kubernetes.md'), 'utf8'),
    );
    assert.ok(measured, 'docs/kubernetes.md states the HTTP API peak RSS for a full-size bulk upload');
    const peakMiB = Number(measured[1]!.replaceAll(',', ''));
    const limitMiB = Number(/^(\d+)Mi$/.exec(c.resources.limits.memory)?.[1]);
    assert.ok(limitMiB >= peakMiB * 1.2 && limitMiB <= peakMiB * 2, `limit ${limitMiB} Mi covers ${peakMiB} MiB`);
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory, 'requests');
    const connection = Connection.lazy({ address: '127.0.0.1:1' }); // nothing listens: Temporal is away
    const app = await buildApiServer({
      client: new Client({ connection }),
      taskQueue: 'channel-provisioning',
      keys: apiKeysFromEnv(envOf(c)).keys,
      bulkStore: bulkStoreFromEnv(envOf(c)),
    });
    try {
      assert.equal((await app.inject({ method: 'GET', url: probe.path })).statusCode, 200, `${probe.path} answers`);
      const keyless = await app.inject({ method: 'GET', url: '/v1/provisionings/x/y' });
      assert.equal(keyless.statusCode, 401, 'other routes still want a key: the probe is the exemption');
    } finally {
      await app.close();
      await connection.close();
    }
    const svc = byKind('Service', 'http-api');
    assert.deepEqual(svc.spec.selector, byKind('Deployment', 'http-api').spec.template.metadata.labels);
    assert.equal(svc.spec.ports[0]!.targetPort, 'http');
    const pdb = byKind('PodDisruptionBudget', 'http-api');
    assert.deepEqual(pdb.spec.selector.matchLabels, svc.spec.selector);
    assert.ok(pdb.spec.maxUnavailable < byKind('Deployment', 'http-api').spec.replicas, 'a drain leaves one pod');
  });

  it("sends every app's spans to the jaeger Service, each under its own name", () => {
    const jaeger = byKind('Service', 'jaeger');
    const otlp = jaeger.spec.ports.find((p) => p.name === 'otlp-http');
    assert.ok(otlp, 'the jaeger Service has an otlp-http port');
    assert.deepEqual(jaeger.spec.selector, byKind('Deployment', 'jaeger').spec.template.metadata.labels);
    const names = new Set<string>();
    for (const name of ['worker', 'webhook-receiver', 'codec-server', 'http-api']) {
      const env = envOf(container(name));
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, `http://jaeger:${otlp.port}`, name);
      assert.doesNotThrow(() => samplerFromEnv(env), name);
      names.add(env.OTEL_SERVICE_NAME ?? assert.fail(`${name} names itself`));
    }
    assert.equal(names.size, 4);
  });

  it('runs the compiled entry points of the image the Dockerfile builds, the same image Compose runs', () => {
    const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const entry: Record<string, string> = {
      worker: 'src/worker',
      'webhook-receiver': 'src/webhook-receiver/main',
      'codec-server': 'src/codec/main',
      'http-api': 'src/api/main',
    };
    for (const [name, src] of Object.entries(entry)) {
      const c = container(name);
      assert.match(
        compose,
        new RegExp(`image: ${c.image.replaceAll('.', '\\.')}\\n`),
        `${name} runs the app image Compose builds`,
      );
      assert.deepEqual(c.command, ['node', `dist/${src}.js`]);
      assert.ok(existsSync(path.join(ROOT, `${src}.ts`)));
    }
  });

  it('drains within the grace period: preStop + WORKER_SHUTDOWN_GRACE_TIME < terminationGracePeriodSeconds', () => {
    const pod = byKind('Deployment', 'worker').spec.template.spec;
    const w = container('worker');
    const preStopS = Number(w.lifecycle.preStop.exec.command[1]);
    const drainS = parseDuration(WorkerEnv.parse(envOf(w)).WORKER_SHUTDOWN_GRACE_TIME)! / 1000;
    assert.ok(preStopS > 0 && drainS > 0);
    assert.ok(
      pod.terminationGracePeriodSeconds > preStopS + drainS,
      `${pod.terminationGracePeriodSeconds}s > ${preStopS}s + ${drainS}s`,
    );
    assert.ok(
      w.livenessProbe.periodSeconds * w.livenessProbe.failureThreshold >= drainS,
      'liveness does not kill a draining worker (503)',
    );
  });

  const mib = (q: string) => Number(/^(\d+)(Mi|Gi)$/.exec(q)![1]) * (q.endsWith('Gi') ? 1024 : 1);

  it('sizes the worker to its measured peak memory (docs/worker-tuning.md: a burst of 5,000 starts)', () => {
    const measured = /Worker peak RSS ([\d,]+) MiB/.exec(
      readFileSync(path.join(ROOT, 'docs', 'worker-tuning.md'), 'utf8'),
    );
    assert.ok(measured, 'docs/worker-tuning.md states the measured worker peak RSS');
    const peakMiB = Number(measured[1]!.replaceAll(',', ''));
    const { requests, limits } = container('worker').resources;
    assert.ok(mib(requests.memory) >= peakMiB, `request ${requests.memory} covers the measured ${peakMiB} MiB`);
    assert.ok(
      mib(limits.memory) >= peakMiB * 1.2 && mib(limits.memory) <= peakMiB * 2,
      `limit ${limits.memory} leaves headroom, not a blank cheque`,
    );
  });

  it("runs the worker with the image's V8 heap limit, which its memory limit covers", () => {
    const image = /^ENV NODE_OPTIONS=(\S+)$/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    assert.ok(image, 'the image sets NODE_OPTIONS');
    const nodeOptions = envOf(container('worker')).NODE_OPTIONS ?? '';
    assert.equal(nodeOptions, image[1], "the worker's heap limit is the image's");
    const heapMiB = Number(/^--max-old-space-size=(\d+)$/.exec(nodeOptions)?.[1]);
    // The workflow thread's live heap is ~300 MiB with the default cache of 100 runs; the rest of the process (main
    // thread, native memory) ~350 MiB (docs/worker-tuning.md).
    assert.ok(heapMiB >= 384, `a heap limit of ${heapMiB} MiB leaves the live heap room`);
    const { limits } = container('worker').resources;
    assert.ok(heapMiB + 350 <= mib(limits.memory), `limit ${limits.memory} holds a full workflow-thread heap`);
  });

  it('autoscales the worker with KEDA on the backlog of exactly the task queues it serves', () => {
    const so = byKind('ScaledObject', 'worker');
    assert.equal(so.spec.scaleTargetRef.name, 'worker');
    const temporal = configMaps['bird-provisioning-temporal']!;
    const queues = Object.values(deploymentTaskQueues(temporal.TEMPORAL_TASK_QUEUE!)).sort();
    const triggers = so.spec.triggers;
    assert.ok(triggers.every((t) => t.type === 'temporal'));
    assert.deepEqual(triggers.map((t) => t.metadata.taskQueue).sort(), queues);
    for (const t of triggers) {
      assert.equal(t.metadata.endpoint, temporal.TEMPORAL_ADDRESS);
      assert.equal(t.metadata.namespace, temporal.TEMPORAL_NAMESPACE);
      assert.ok(Number(t.metadata.targetQueueSize) > 0);
    }
    assert.equal(
      WorkerEnv.parse(envOf(container('worker'))).WORKER_TASK_QUEUES.length,
      3,
      'the scaled workers serve all three queues',
    );
    assert.ok(so.spec.minReplicaCount >= 1 && so.spec.maxReplicaCount > so.spec.minReplicaCount);
    const pdb = byKind('PodDisruptionBudget', 'worker');
    assert.deepEqual(pdb.spec.selector.matchLabels, byKind('Deployment', 'worker').spec.template.metadata.labels);
  });

  it('the Job registers exactly the search attributes the code defines, with the admin tools Compose uses', () => {
    const job = byKind('Job', 'temporal-search-attributes');
    const c = job.spec.template.spec.containers[0]!;
    const script = c.args.join('\n');
    const registered = [...script.matchAll(/search-attribute create [^\n]*--name (\w+) --type Keyword/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(registered.sort(), PROVISIONING_SEARCH_ATTRIBUTES.map((k) => k.name).sort());
    assert.match(
      readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'),
      new RegExp(`image: ${c.image.replaceAll('.', '\\.')}\\n`),
    );
    assert.equal(job.spec.template.spec.restartPolicy, 'OnFailure');
  });

  it('hands each secret only to the container that uses it, by secretKeyRef, never as a literal', () => {
    const holders = (variable: string) =>
      ['worker', 'webhook-receiver', 'codec-server', 'http-api'].filter((n) =>
        (container(n).env ?? []).some((e) => e.name === variable),
      );
    assert.deepEqual(holders('BIRD_ACCESS_KEY'), ['worker']);
    assert.deepEqual(holders('WEBHOOK_SIGNING_KEY'), ['webhook-receiver']);
    assert.deepEqual(holders('BIRD_SECRET_BULK_STORE_SECRET_ACCESS_KEY'), ['worker', 'http-api']);
    for (const { name } of apiKeysFromEnv(envOf(container('http-api'))).keys)
      assert.deepEqual(holders(`${API_KEY_ENV_PREFIX}${name.toUpperCase()}`), ['http-api']);
    // Names that hold no secret: the active key's id, a secret reference, the API's key names and workspaces.
    const notSecret = new Set([ACTIVE_KEY_VAR, 'BULK_STORE_S3_CREDENTIALS', 'API_KEYS']);
    for (const n of ['worker', 'webhook-receiver', 'codec-server', 'http-api']) {
      for (const e of container(n).env ?? []) {
        if (/KEY|TOKEN|SECRET/.test(e.name) && !notSecret.has(e.name))
          assert.ok(e.valueFrom?.secretKeyRef, `${n}: ${e.name} comes from a Secret`);
      }
    }
    for (const data of Object.values(configMaps))
      for (const k of Object.keys(data)) assert.doesNotMatch(k, /SECRET_ACCESS_KEY|ACCESS_KEY$|TOKEN/);
  });
});
