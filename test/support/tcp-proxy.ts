import net from 'node:net';

/**
 * A TCP proxy on a free local port: cut() drops every connection and refuses new ones, restore() lets them through;
 * freeze() stops forwarding while keeping every connection open and accepting new ones that get no answer (what
 * clients see of a server stopped with SIGSTOP), thaw() resumes.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let open = true;
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const waiting: net.Socket[] = [];
  const connect = (client: net.Socket) => {
    const upstream = net.connect({ host: targetHost, port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  };
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    if (frozen) {
      client.pause();
      client.on('error', () => client.destroy());
      waiting.push(client);
      return;
    }
    connect(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore() {
      open = true;
    },
    freeze() {
      frozen = true;
      for (const s of sockets) s.pause();
    },
    thaw() {
      frozen = false;
      for (const s of sockets) s.resume();
      for (const c of waiting.splice(0))
        if (!c.destroyed) {
          connect(c);
          c.resume();
        }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of [...sockets, ...waiting]) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A harness address option (`workerTemporalAddress`) that puts a proxy in front of a `host:port` address (Temporal's)
 * and hands the proxy to `use`, for the test to cut or restore.
 */
export const throughProxy =
  (use: (proxy: TcpProxy) => void) =>
  async (address: string): Promise<string> => {
    const [host, port] = address.split(':');
    const proxy = await startTcpProxy(host, Number(port));
    use(proxy);
    return `127.0.0.1:${proxy.port}`;
  };
