/**
 * The worker's health endpoint: GET /healthz answers 200 while the worker is RUNNING and 503 otherwise (starting,
 * draining after SIGTERM, stopped), so an orchestrator neither routes to nor restarts a worker that is draining.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startHealthServer(
  host: string,
  port: number,
  state: () => string,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      const s = state();
      res.writeHead(s === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ state: s }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
