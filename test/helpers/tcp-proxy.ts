/**
 * A Temporal server that "comes up later": a TCP forwarder opened on a port that had nothing listening, relaying
 * to the test dev server. Lets a process test start a worker or receiver while Temporal is unreachable and then
 * watch it connect, without moving the shared dev server.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  close(): Promise<void>;
}

export async function startTcpProxy(port: number, target: string): Promise<TcpProxy> {
  const [host, targetPort] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host, port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
