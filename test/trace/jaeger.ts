/**
 * A real trace store for test/trace/: Jaeger v2 (all-in-one, memory storage), built once by scripts/jaeger.sh and
 * run with scripts/jaeger.yaml on free 127.0.0.1 ports. Spans go in over OTLP/HTTP; the test reads them back
 * through Jaeger's query API, as an operator's UI would.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const ROOT = resolve(__dirname, '../..');

export class Jaeger {
  readonly lines: string[] = [];
  #exited: Promise<void> = Promise.resolve();

  private constructor(
    private readonly proc: ChildProcess,
    readonly ports: { otlpHttp: number; query: number; queryGrpc: number; health: number },
  ) {
    for (const stream of [proc.stdout!, proc.stderr!])
      stream.on('data', (d: Buffer) => this.lines.push(...d.toString('utf8').split('\n').filter(Boolean)));
    this.#exited = new Promise((res) => proc.once('exit', () => res()));
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to. */
  get otlpEndpoint(): string {
    return `http://127.0.0.1:${this.ports.otlpHttp}`;
  }

  get queryUrl(): string {
    return `http://127.0.0.1:${this.ports.query}`;
  }

  static async start(): Promise<Jaeger> {
    const bin = execFileSync('bash', [join(ROOT, 'scripts', 'jaeger.sh'), 'ensure'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    const ports = {
      otlpHttp: await freePort(),
      query: await freePort(),
      queryGrpc: await freePort(),
      health: await freePort(),
    };
    const proc = spawn(bin, ['--config', join(ROOT, 'scripts', 'jaeger.yaml')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        JAEGER_HOST: '127.0.0.1',
        JAEGER_OTLP_HTTP_PORT: String(ports.otlpHttp),
        JAEGER_QUERY_PORT: String(ports.query),
        JAEGER_QUERY_GRPC_PORT: String(ports.queryGrpc),
        JAEGER_HEALTH_PORT: String(ports.health),
      },
    });
    const jaeger = new Jaeger(proc, ports);
    await waitFor(
      'Jaeger to answer on its query API',
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`jaeger exited (${proc.exitCode}):\n${jaeger.lines.slice(-30).join('\n')}`);
        try {
          const res = await fetch(`${jaeger.queryUrl}/api/services`, { signal: AbortSignal.timeout(2_000) });
          return res.ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
      250,
    );
    return jaeger;
  }

  /** Every trace of the service (Jaeger's /api/traces JSON). */
  async traces(service: string): Promise<{ data: never[] }> {
    const url = `${this.queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=1000&lookback=1h`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { data: never[] };
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
