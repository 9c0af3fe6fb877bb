/**
 * The fault suite's own Temporal dev server: a process on a SQLite file (as `scripts/temporal.sh dev` runs it, with
 * the project's search attributes), so a scenario can SIGKILL it mid-run and start it again on the same file and
 * port, and everything connected to it must find its way back by itself.
 */
import { Connection } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { devServerSearchAttributeArgs } from '../../src/domain/search-attributes';
import { freePort, temporalCliPath } from '../helpers/temporal';

export class DevServer {
  readonly lines: string[] = [];
  #child?: ChildProcess;
  #exited?: Promise<void>;

  private constructor(
    readonly dbFile: string,
    readonly port: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(dir: string): Promise<DevServer> {
    const server = new DevServer(join(dir, 'temporal.sqlite'), await freePort());
    await server.launch();
    return server;
  }

  /** Starts the process (again, on the same file and port) and waits until the default namespace answers. */
  async launch(): Promise<void> {
    const args = [
      'server',
      'start-dev',
      '--db-filename',
      this.dbFile,
      '--sqlite-pragma',
      'journal_mode=WAL',
      '--sqlite-pragma',
      'synchronous=OFF',
      '--ip',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--headless',
      '--namespace',
      'default',
      '--log-level',
      'error',
      '--dynamic-config-value',
      'frontend.enableUpdateWorkflowExecution=true',
      // As scripts/temporal.sh and docker-compose.yml run the server: Bird's rate limit is shared fairly per workspace.
      '--dynamic-config-value',
      'matching.enableFairness=true',
      ...devServerSearchAttributeArgs(),
    ];
    const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.lines.push(...chunk.split('\n').filter(Boolean)));
    }
    await this.#waitServing(child);
  }

  /** SIGKILL: the server gets no chance to flush or say goodbye. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exited;
  }

  async stop(): Promise<void> {
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }

  async #waitServing(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the dev server exited (${child.exitCode}):\n${this.lines.slice(-20).join('\n')}`);
      try {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return;
        } finally {
          await connection.close();
        }
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`the dev server at ${this.address} did not answer within 90 s: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}
