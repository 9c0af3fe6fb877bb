/**
 * BirdSimulator: a real HTTP server that behaves like Bird for every operation of the contract, so the
 * product and its tests run without a Bird account. This file only wires the parts together and owns the
 * lifecycle; behaviour lives in connectors.ts, subscriptions.ts, provisioning.ts, webhooks.ts and faults.ts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { registerApiRoutes } from './api-routes';
import { ConnectorOperations } from './connectors';
import {
  DEFAULT_ACCESS_KEY,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_PROVISIONING_DELAY_MS,
  DEFAULT_WORKSPACE,
} from './defaults';
import { RateLimiter, type RateLimits } from './rate-limits';
import { FaultPlan } from './faults';
import { Provisioning } from './provisioning';
import { registerSimRoutes } from './sim-routes';
import { SimStore } from './store';
import { SubscriptionOperations } from './subscriptions';
import type {
  ComponentStage,
  ComponentStatus,
  FaultConfig,
  NumberBehaviour,
  OperationId,
  ScriptedFault,
  SimCall,
  SimConnector,
  SimDelivery,
  SimSubscription,
  SimWorkspace,
  SimulatorOptions,
} from './types';
import { WebhookDispatcher } from './webhooks';

function urlOf(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

export class BirdSimulator {
  private readonly store = new SimStore();
  private readonly faultPlan: FaultPlan;
  private readonly rateLimiter: RateLimiter;
  private readonly dispatcher: WebhookDispatcher;
  private readonly provisioning: Provisioning;
  private readonly subscriptionOps: SubscriptionOperations;
  /** Every in-flight request (latency sleep, held request) listens to it: any number of them, so no listener cap. */
  private readonly closing = withoutListenerCap(new AbortController());
  private readonly app: FastifyInstance;
  private callLog: SimCall[] = [];
  private closed?: Promise<void>;
  private _url = '';

  private constructor(private readonly opts: SimulatorOptions) {
    // Every request in flight (latency, held requests) listens on it: hundreds at once under load is normal.
    setMaxListeners(0, this.closing.signal);
    for (const ws of opts.workspaces ?? [DEFAULT_WORKSPACE]) this.store.addWorkspace(ws);
    this.faultPlan = new FaultPlan(opts.faults, opts.seed ?? Date.now());
    this.rateLimiter = new RateLimiter(opts.rateLimits);
    this.dispatcher = new WebhookDispatcher(
      () => this.store.allSubscriptions(),
      opts.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
      opts.webhookRetryScale ?? 1,
    );
    this.provisioning = new Provisioning(
      opts.provisioningDelayMs ?? DEFAULT_PROVISIONING_DELAY_MS,
      (ws, body) => this.dispatcher.dispatch(ws, body),
      opts.deprovisioningDelayMs ?? 0,
    );
    this.subscriptionOps = new SubscriptionOperations(this.store);
    this.app = this.buildApp();
  }

  static async start(opts: SimulatorOptions = {}): Promise<BirdSimulator> {
    const sim = new BirdSimulator(opts);
    await sim.app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
    sim._url = urlOf(sim.app);
    return sim;
  }

  get url(): string {
    return this._url;
  }

  /** Idempotent. Cancels provisioning timers, in-flight deliveries and held requests, then force-closes sockets. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      this.provisioning.cancelAll();
      this.dispatcher.close();
      await this.app.close();
    })();
    return this.closed;
  }

  setFaults(f: Partial<FaultConfig>): void {
    this.faultPlan.set(f);
  }

  /** Bird's per-workspace rate limits (GET, and POST/DELETE), enforced as 429 with Retry-After; undefined turns them off. */
  setRateLimits(limits: RateLimits | undefined): void {
    this.rateLimiter.set(limits);
  }

  faults(): FaultConfig {
    return { ...this.faultPlan.config };
  }

  /** The next `count` requests matching operationId get this fault, in order, before any random faults. */
  scriptFault(operationId: OperationId, fault: ScriptedFault, count = 1): void {
    this.faultPlan.script(operationId, fault, count);
  }

  configureNumber(phoneNumberId: string, behaviour: NumberBehaviour): void {
    this.provisioning.configureNumber(phoneNumberId, behaviour);
  }

  /** How a connector without a number behaves, by the name it is given (before any idempotency tag). */
  configureName(name: string, behaviour: NumberBehaviour): void {
    this.provisioning.configureName(name, behaviour);
  }

  addWorkspace(ws: SimWorkspace): void {
    this.store.addWorkspace(ws);
  }

  /**
   * Deliveries to URLs starting with publicUrlPrefix go to localUrlPrefix + rest-of-path instead (Bird only
   * accepts public https URLs; tests run on loopback). The signature still covers the original public URL.
   */
  routeDeliveries(publicUrlPrefix: string, localUrlPrefix: string): void {
    this.dispatcher.route(publicUrlPrefix, localUrlPrefix);
  }

  /** Subscription creation answers 422 for urls starting with prefix (subscription-failure compensation). */
  rejectSubscriptionsFor(urlPrefix: string): void {
    this.subscriptionOps.rejectFor(urlPrefix);
  }

  /** Manual override that fires channel.updated; throws for an unknown connector id. */
  setChannelStatus(connectorId: string, status: ComponentStatus, stage: ComponentStage, errorMessage?: string): void {
    const c = this.store.connector(connectorId);
    if (!c) throw new Error(`unknown connector ${connectorId}`);
    this.provisioning.override(c, { status, stage, ...(errorMessage !== undefined ? { errorMessage } : {}) });
  }

  /**
   * Creates a connector as Bird would, without an API call in the log: a workspace that already holds other
   * people's connectors (paging, ownership checks). Throws with Bird's answer if Bird would refuse it.
   */
  seedConnector(
    workspaceId: string,
    body: { name: string; connectorTemplateRef: string; arguments?: Record<string, unknown> },
  ): string {
    const result = new ConnectorOperations(this.store, this.provisioning).create(workspaceId, JSON.stringify(body));
    const created = result.body as { id?: string } | undefined;
    if (result.status !== 201 || !created?.id) throw new Error(`seedConnector: Bird would answer ${result.status}`);
    return created.id;
  }

  /** Every connector ever created, deleted ones included (deletedAt set). Copies: mutating them changes nothing. */
  connectors(): SimConnector[] {
    return structuredClone([...this.store.allConnectors()]);
  }

  calls(): SimCall[] {
    return structuredClone(this.callLog);
  }

  subscriptions(): SimSubscription[] {
    return this.store.allSubscriptions().map((s) => structuredClone(s.subscription));
  }

  deliveries(): SimDelivery[] {
    return this.dispatcher.deliveries();
  }

  /** Forgets everything that happened; configuration (workspaces, keys, fault rates, routes) stays. */
  reset(): void {
    this.provisioning.reset();
    this.dispatcher.reset();
    this.faultPlan.clearScripted();
    this.store.reset();
    this.callLog = [];
  }

  private buildApp(): FastifyInstance {
    // forceCloseConnections: held ('timeout') and keep-alive sockets must not keep close() waiting.
    const app = Fastify({ logger: false, forceCloseConnections: true });
    // Handlers get the raw body and parse it themselves: faults and auth must come before body errors, and
    // each operation maps bad JSON to the status its contract documents (400 for subscriptions, 422 for create).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    app.setNotFoundHandler((req, reply) => {
      if (!req.url.startsWith('/_sim')) {
        const call: SimCall = { operationId: null, method: req.method, path: req.url, status: 404, at: Date.now() };
        this.callLog.push(call);
        this.opts.onCall?.(call);
      }
      return reply.code(404).send({ code: 'NotFound', message: `no route for ${req.method} ${req.url.split('?')[0]}` });
    });
    app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      return reply.code(status).send({
        code: status >= 500 ? 'InternalServerError' : 'BadRequest',
        message: err.message && err.message.length >= 5 ? err.message : 'request failed',
      });
    });

    registerApiRoutes(app, {
      accessKeys: new Set(this.opts.accessKeys ?? [DEFAULT_ACCESS_KEY]),
      faults: this.faultPlan,
      rateLimits: this.rateLimiter,
      connectors: new ConnectorOperations(this.store, this.provisioning),
      subscriptions: this.subscriptionOps,
      record: (call) => this.callLog.push(call),
      finished: (call) => this.opts.onCall?.(call),
      closing: this.closing.signal,
    });
    registerSimRoutes(app, {
      connectors: () => this.connectors(),
      calls: () => this.calls(),
      subscriptions: () => this.subscriptions(),
      deliveries: () => this.deliveries(),
      faults: () => this.faults(),
      setFaults: (f) => this.setFaults(f),
      scriptFault: (op, fault, count) => this.scriptFault(op, fault, count),
      configureNumber: (id, b) => this.configureNumber(id, b),
      hasConnector: (id) => this.store.connector(id) !== undefined,
      setChannelStatus: (id, status, stage, message) => this.setChannelStatus(id, status, stage, message),
      reset: () => this.reset(),
    });
    return app;
  }
}

function withoutListenerCap(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}
