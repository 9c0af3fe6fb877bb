/**
 * A plain TCP connect to a Temporal address, before grpc's own: a refused port or an unknown host is known in
 * milliseconds and in plain words, where grpc retries until its deadline and then says only "Failed to connect
 * before the deadline". Used by the CLI (fail fast) and the receiver (retry fast).
 */
import { connect } from 'node:net';

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens on that port; is the server running?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/** Undefined when something accepts TCP connections at host:port; otherwise why not, in words. */
export function tcpUnreachableReason(address: string, timeoutMs: number): Promise<string | undefined> {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!m) return Promise.resolve('not a host:port address');
  return new Promise((resolve) => {
    const socket = connect({ host: m[1]!, port: Number(m[2]) });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(SOCKET_ERRORS[err.code ?? ''] ?? err.message));
  });
}
