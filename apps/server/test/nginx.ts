import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir, waitFor } from './helpers.ts';

export const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The nginx configuration the README recommends (WebSocket upgrades, forwarded
 * address and scheme, long read timeout for idle sockets), for a test: its own
 * prefix, pid and logs in `dir`, a non-root port, in the foreground.
 */
export function nginxConfig(dir: string, listen: number, upstream: number): string {
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream concord { server 127.0.0.1:${upstream}; keepalive 32; }
  server {
    listen 127.0.0.1:${listen};
    client_max_body_size 60m;
    location / {
      proxy_pass http://concord;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`;
}

/** A real nginx in front of `upstream`, until `stop()` (which kills it). */
export async function startNginx(upstream: number): Promise<{ url: string; stop(): Promise<void>; log(): string }> {
  const dir = tempDir('concord-nginx-');
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConfig(dir, port, upstream));
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    return fs.existsSync(path.join(dir, 'nginx.pid'));
  }, 15_000, 'nginx to start');
  const log = () => stderr + (fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : '');
  return {
    url,
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGTERM: the master stops its workers, then exits (SIGKILL would leave the workers behind).
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
