/** The routes' view of the server, kept apart from server.ts so routes and server do not import each other. */
import type { Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import type { BulkStore } from '../bulk/store';

/** What the routes share: the client, the configuration, the scope check and the worker check. */
export interface ApiContext {
  client: Client;
  taskQueue: string;
  bulkStore: BulkStore;
  queryTimeoutMs: number;
  sseIntervalMs: number;
  /** Throws 404 unless the request's key may act on the workspace (another workspace does not exist for it). */
  requireWorkspace(request: FastifyRequest, workspaceId: string): void;
  /** Throws 503 (nothing started) when no worker polls the workflow task queue. */
  requireWorkers(): Promise<void>;
}
