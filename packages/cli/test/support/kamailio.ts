/**
 * Kamailio (Debian `kamailio`, `kamailio-tls-modules`, `kamailio-websocket-modules`) as a real
 * SIP proxy between our engine and SIPp: started by the test on loopback with a config of
 * ours, stopped by its PID. Requests that arrive over UDP go to `inner` (our side, over TCP, TLS
 * or a WebSocket connection our side opened); requests that arrive over any other transport
 * go to `outer` over UDP (SIPp). In-dialog requests of scenarios that do not use [routes] carry
 * no Route header, so they take the same way as the initial request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningTcpPorts } from './net.js';
import { KAMAILIO_MODULES as MODULES, KAMAILIO_PATH } from './peers.js';

export interface KamailioPorts {
  udp: number;
  tcp: number;
  tls: number;
  /** WebSocket (HTTP upgrade on a TCP listener). */
  ws: number;
  /** Secure WebSocket (HTTP upgrade on a TLS listener). */
  wss: number;
}

export interface KamailioOptions {
  ports: KamailioPorts;
  /** PEM files of the certificate Kamailio presents on its TLS and WSS listeners. */
  cert: string;
  key: string;
  /** Where requests from UDP go: our side. */
  inner: { port: number; transport: 'tcp' | 'tls' | 'ws' | 'wss' };
  /** Where requests from every other transport go, over UDP: SIPp. */
  outer: { port: number };
}

export interface Kamailio {
  readonly pid: number;
  /** What Kamailio printed (log_stderror), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function config(o: KamailioOptions, dir: string): string {
  const { ports } = o;
  writeFileSync(
    join(dir, 'tls.cfg'),
    `[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = ${o.key}
certificate = ${o.cert}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`,
  );
  return `#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=2
tcp_children=2
auto_aliases=no
enable_tls=yes
listen=udp:127.0.0.1:${ports.udp}
listen=tcp:127.0.0.1:${ports.tcp}
listen=tls:127.0.0.1:${ports.tls}
listen=tcp:127.0.0.1:${ports.ws}
listen=tls:127.0.0.1:${ports.wss}
mpath="${MODULES}/"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "nathelper.so"
loadmodule "tls.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
modparam("tls", "config", "${join(dir, 'tls.cfg')}")

request_route {
  # Without it, responses to a TCP/TLS client go to a new connection toward its Via port.
  force_rport();
  if (has_totag() && loose_route()) {
    t_relay();
    exit;
  }
  if ($proto == "udp") {
    $du = "sip:127.0.0.1:${o.inner.port};transport=${o.inner.transport}";
  } else {
    $du = "sip:127.0.0.1:${o.outer.port};transport=udp";
  }
  if (!t_relay()) sl_reply_error();
}

event_route[xhttp:request] {
  if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
    if (ws_handle_handshake()) exit;
  }
  xhttp_reply("404", "Not Found", "", "");
}
`;
}

/** Starts Kamailio in the foreground (-DD, its children forked) and waits for its TCP listeners. */
export async function startKamailio(options: KamailioOptions): Promise<Kamailio> {
  const dir = mkdtempSync(join(tmpdir(), 'gossipper-kamailio-'));
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(cfg, config(options, dir));
  const child: ChildProcess = spawn(KAMAILIO_PATH, ['-f', cfg, '-P', join(dir, 'kamailio.pid'), '-w', dir, '-DD', '-E'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const wanted = [options.ports.tcp, options.ports.tls, options.ports.ws, options.ports.wss];
  const deadline = Date.now() + 10_000;
  while (!wanted.every((p) => listeningTcpPorts().has(p))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kamailio did not start (exit ${child.exitCode}):\n${log}\nconfig: ${readFileSync(cfg, 'utf8')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
