// The Kamailio configuration the interop tests (support/kamailio.ts) and the bench
// (bench/sipp-ratio.mjs --via-kamailio) run: plain JavaScript so that the bench, which is
// not compiled, shares it. Types in kamailio-config.d.mts.
//
// Listeners on loopback: udp, tcp, tls, ws (HTTP upgrade on tcp), wss (on tls). Requests
// that arrive over UDP go to `inner` (our side, over TCP, TLS or a WebSocket connection our
// side opened); requests that arrive over any other transport go to `outer` (SIPp over UDP,
// or for the bench our UAS over UDP or TLS). In-dialog requests of scenarios that do not use
// [routes] carry no Route header, so they take the same way as the initial request.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_KAMAILIO_PATH = '/usr/sbin/kamailio';
export const KAMAILIO_MODULES = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

/** Writes kamailio.cfg and tls.cfg into `dir`; returns kamailio's argv (without the binary). */
export function writeKamailioConfig(dir, o) {
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
  // A WSS connection is reached with transport=ws, as browsers write their Contact: with
  // transport=wss Kamailio 5.6 reports the request forwarded and sends nothing.
  const innerTransport = o.inner === undefined ? undefined : o.inner.transport === 'wss' ? 'ws' : o.inner.transport;
  // With a registrar, every other request goes to the connection of the user the Request-URI
  // names (a browser phone registered over WebSocket), found by the REGISTER's source address.
  const route = o.registrar
    ? `if (!lookup("location")) {
    sl_send_reply("404", "Not registered");
    exit;
  }`
    : `if ($proto == "udp") {
    $du = "sip:127.0.0.1:${o.inner.port};transport=${innerTransport}";
  } else {
    $du = "sip:127.0.0.1:${o.outer.port};transport=${o.outer.transport ?? 'udp'}";
  }`;
  const cfg = join(dir, 'kamailio.cfg');
  writeFileSync(
    cfg,
    `#!KAMAILIO
debug=${o.debug ?? 2}
log_stderror=yes
fork=yes
children=${o.children ?? 2}
tcp_children=${o.tcpChildren ?? 1}
auto_aliases=no
enable_tls=yes
# The WebSocket upgrade is an HTTP GET without Content-Length: without this Kamailio's TCP
# reader rejects it as a bad request and resets the connection.
tcp_accept_no_cl=yes
listen=udp:127.0.0.1:${ports.udp}
listen=tcp:127.0.0.1:${ports.tcp}
listen=tls:127.0.0.1:${ports.tls}
listen=tcp:127.0.0.1:${ports.ws}
listen=tls:127.0.0.1:${ports.wss}
mpath="${KAMAILIO_MODULES}/"
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
${
  o.registrar
    ? `loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_mode", 0)
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "received_avp", "$avp(RECEIVED)")
`
    : ''
}
request_route {
  # Without it, responses to a TCP/TLS client go to a new connection toward its Via port.
  force_rport();
${
  o.registrar
    ? `  if (is_method("REGISTER")) {
    # A browser's Contact host is a made-up .invalid name: keep where the REGISTER came from.
    fix_nated_register();
    if (!save("location")) sl_reply_error();
    exit;
  }
`
    : ''
}  if (has_totag() && loose_route()) {
    t_relay();
    exit;
  }
  ${route}
  if (!t_relay()) sl_reply_error();
}

event_route[xhttp:request] {
  if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
    if (ws_handle_handshake()) exit;
  }
  xhttp_reply("404", "Not Found", "", "");
}
`,
  );
  // tcp_children defaults to 1: with 2, Kamailio 5.6.3 on Debian's OpenSSL 3 fails a few TLS
  // handshakes under load (bad signatures: 'first octet invalid', 'no suitable signature
  // algorithm', 'decrypt error' in its log), measured with bench/sipp-ratio.mjs --via-kamailio.
  // -DD: stay in the foreground (so the PID we hold is the main process), children forked;
  // -E: log to stderr; -m: shared memory in MB (TLS connections take a lot of it).
  return ['-f', cfg, '-P', join(dir, 'kamailio.pid'), '-w', dir, '-DD', '-E', ...(o.sharedMemoryMb ? ['-m', String(o.sharedMemoryMb)] : [])];
}
