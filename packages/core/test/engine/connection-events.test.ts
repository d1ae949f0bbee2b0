import { describe, expect, it } from 'vitest';
import { configFor, newNetwork, scenarioOf, side } from './harness.js';

const UAC_PORT = 5061;
const UAS_PORT = 5060;
const PEER = { address: '127.0.0.1', port: UAS_PORT };

describe('engine: connection events of a stream transport', () => {
  it('does not retransmit on a connection-oriented transport: an unanswered INVITE waits for its timeout', async () => {
    const { scheduler, network } = newNetwork(1);
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 1 }), false, true);
    uac.engine.start();
    scheduler.advance(10_000);
    expect(uac.transport.sent).toBe(1);
    expect(uac.stats.cumulative.retransmissions).toBe(0);
    uac.engine.stop('signal');
  });

  it('a lost connection fails the calls on it (tcp-closed) and, on a client without reconnection, stops the run', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }), false, true);
    const uac = await side(
      network,
      scenarioOf('uac'),
      configFor({ port: UAC_PORT, remotePort: UAS_PORT, rate: 10, maxCalls: 100, defaultPauseMs: 5000 }),
      false,
      true,
    );
    uas.engine.start();
    uac.engine.start();
    scheduler.advance(1_000);
    const open = uac.engine.openCalls;
    expect(open).toBeGreaterThan(5);
    uac.transport.emitConnectionEvent({
      kind: 'connection-lost', socketId: 0, peer: PEER, cause: 'reset', reason: 'connection reset by peer (ECONNRESET)',
      reconnecting: false, failCalls: true,
    });
    const result = await uac.engine.finished;
    expect(result.reason).toBe('fatal');
    expect(result.fatalError).toBe(
      'connection to 127.0.0.1:5060 lost (connection reset by peer (ECONNRESET)) and -max_reconnect allows no new one',
    );
    expect(uac.stats.cumulative.failedFor('tcp-closed')).toBe(open);
    expect(uac.stats.transportEvents.connectionsLost).toBe(1);
    uas.engine.stop('signal');
  });

  it('reconnecting with -reconnect_close false keeps the calls; with failCalls they fail but the run goes on', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }), false, true);
    const uac = await side(
      network,
      scenarioOf('uac'),
      configFor({ port: UAC_PORT, remotePort: UAS_PORT, rate: 10, maxCalls: 30, defaultPauseMs: 2000 }),
      false,
      true,
    );
    uas.engine.start();
    uac.engine.start();
    scheduler.advance(1_000);
    const lost = { kind: 'connection-lost', socketId: 0, peer: PEER, cause: 'closed', reason: 'the peer closed the connection', reconnecting: true } as const;
    uac.transport.emitConnectionEvent({ ...lost, failCalls: false });
    expect(uac.stats.cumulative.failed).toBe(0);
    const open = uac.engine.openCalls;
    uac.transport.emitConnectionEvent({ ...lost, failCalls: true });
    expect(uac.stats.cumulative.failedFor('tcp-closed')).toBe(open);
    scheduler.runUntilIdle(60_000);
    const result = await uac.engine.finished;
    expect(result).toMatchObject({ reason: 'completed', callsCreated: 30, callsFailed: open, callsSucceeded: 30 - open });
    expect(uac.stats.transportEvents.connectionsLost).toBe(2);
  });

  it('a server connection closed under calls in <timewait> ends them as successful; others fail; an idle close is not reported', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }), false, true);
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: UAS_PORT, maxCalls: 1 }), false, true);
    uas.engine.start();
    uac.engine.start();
    // The call is done on the client; the server's copy waits in its 4 s timewait.
    scheduler.advance(500);
    expect(uac.engine.callsSucceeded).toBe(1);
    expect(uas.engine.openCalls).toBe(1);
    const peer = { address: '127.0.0.1', port: UAC_PORT };
    uas.transport.emitConnectionEvent({
      kind: 'connection-lost', socketId: 0, peer, cause: 'closed', reason: 'the peer closed the connection', reconnecting: false, failCalls: true,
    });
    expect(uas.engine.callsSucceeded).toBe(1);
    expect(uas.engine.callsFailed).toBe(0);
    // A routine close (no call on it) from another connection: neither counted nor logged.
    const errorsBefore = uas.events.filter((e) => e.kind === 'error').length;
    uas.transport.emitConnectionEvent({
      kind: 'connection-lost', socketId: 7, peer, cause: 'closed', reason: 'the peer closed the connection', reconnecting: false, failCalls: true,
    });
    expect(uas.events.filter((e) => e.kind === 'error').length).toBe(errorsBefore);
    uas.engine.stop('signal');
  });

  it('stream errors count as malformed messages; failed TLS handshakes are counted and reported with the reason', async () => {
    const { network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }), false, true);
    uas.engine.start();
    uas.transport.emitConnectionEvent({ kind: 'stream-error', socketId: 3, peer: PEER, reason: 'invalid Content-Length header' });
    uas.transport.emitConnectionEvent({ kind: 'tls-handshake-failed', peer: PEER, reason: 'certificate has expired (CERT_HAS_EXPIRED)' });
    expect(uas.stats.cumulative.malformed).toBe(1);
    expect(uas.stats.transportEvents.tlsHandshakeFailures).toBe(1);
    const errors = uas.events.flatMap((e) => (e.kind === 'error' ? [e.message] : []));
    expect(errors).toEqual([
      'malformed SIP stream from 127.0.0.1:5060: invalid Content-Length header',
      'TLS handshake with 127.0.0.1:5060 failed: certificate has expired (CERT_HAS_EXPIRED)',
    ]);
    uas.engine.stop('signal');
  });
});
