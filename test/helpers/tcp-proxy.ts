// A loopback TCP proxy in front of the Postgres server, so a test can drop every
// connection mid-transaction or refuse new ones (a restart) without touching the
// real server.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Postgres URL through the proxy for a database on the server. */
  url(serverUrl: string): string;
  /** Destroys every open connection (like a server restart or pg_terminate_backend). */
  dropAll(): void;
  /** While down, new connections are refused (reset at once). */
  setDown(down: boolean): void;
  connections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const dropAll = () => {
    for (const s of open) s.resetAndDestroy();
    open.clear();
  };
  return {
    port,
    url(serverUrl) {
      const u = new URL(serverUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    dropAll,
    setDown(d) {
      down = d;
      if (d) dropAll();
    },
    connections: () => open.size / 2,
    close: () => {
      for (const s of open) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
