/**
 * A private nginx for one suite: a round-robin load balancer on 127.0.0.1 and a free port over the
 * given upstream ports, its config, pid file, logs and temp folders in its own temp dir (`-p`),
 * `daemon off` so it is our child and dies with the suite. `describeWithNginx` applies the
 * install-or-skip rule (helpers/binaries.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithBinary, NGINX } from './binaries.js';
import { accepting, freePort } from './free-port.js';

export interface NginxOptions {
  /** Ports of the upstream servers on 127.0.0.1, taken in turn. */
  upstreams: number[];
  /** Extra directives inside the `location /` block, e.g. 'proxy_next_upstream error timeout http_503;'. */
  location?: string;
}

export interface NginxServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The error log (startup problems, upstream failures). */
  errorLog(): string;
  /** Stops nginx and removes its dir. Idempotent. */
  stop(): Promise<void>;
}

export function nginxConfig(dir: string, port: number, options: NginxOptions): string {
  // nginx started as root drops its workers to `nobody`, who cannot enter a private temp dir.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const servers = options.upstreams.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=0;`).join('\n');
  return `${user}daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  client_max_body_size 10m;
  upstream hookctl_listeners {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://hookctl_listeners;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      ${options.location ?? ''}
    }
  }
}
`;
}

export async function startNginx(binary: string, options: NginxOptions): Promise<NginxServer> {
  if (options.upstreams.length === 0) throw new Error('startNginx: give at least one upstream port');
  const dir = mkdtempSync(join(tmpdir(), 'hookctl-nginx-'));
  const errorLogPath = join(dir, 'error.log');
  const readErrorLog = () => {
    try {
      return readFileSync(errorLogPath, 'utf8');
    } catch {
      return '';
    }
  };
  let child: ChildProcess | undefined;
  let port = 0;
  for (let tries = 0; !child; tries++) {
    port = await freePort();
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, port, options));
    // -e: the startup error log too, before the config's error_log applies (default /var/log/nginx).
    const started = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLogPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(started, 'exit').then(() => false);
    // nginx prints nothing when it is ready: wait until its port accepts connections.
    const up = (async () => {
      while (started.exitCode === null && started.signalCode === null) {
        if (await accepting(port)) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    })();
    if (await Promise.race([up, exited])) {
      child = started;
      break;
    }
    const log = `${stderr}${readErrorLog()}`;
    if (!/Address already in use/.test(log) || tries >= 5) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start:\n${log}`);
    }
  }
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    errorLog: readErrorLog,
    stop() {
      stopped ??= (async () => {
        const running = child!;
        if (running.exitCode === null && running.signalCode === null) {
          const exited = once(running, 'exit');
          // SIGTERM: nginx's fast shutdown; its workers go with the master.
          running.kill('SIGTERM');
          await exited;
        }
        process.removeListener('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** A suite that needs nginx: skipped with one line saying how to install it when missing (a failure under CI=true). */
export function describeWithNginx(title: string, suite: (binary: string) => void): void {
  describeWithBinary(NGINX, title, suite);
}
