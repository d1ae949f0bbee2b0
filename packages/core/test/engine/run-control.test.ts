// The engine's run-time controls behind SIPp's keys: pause (p), the open-call limit that
// follows the rate (+ - * /, set limit) and the number of users (-users with the rate keys).
import { describe, expect, it } from 'vitest';
import { configFor, newNetwork, scenarioOf, side } from './harness.js';

const UAS_PORT = 13700; // in-memory network: no real socket
const UAC_PORT = 13701;

describe('engine run-time controls (virtual clock)', () => {
  it('setPaused: no new call while paused; resuming restarts the schedule from now', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }));
    const uac = await side(network, scenarioOf('uac'), configFor({ port: UAC_PORT, remotePort: UAS_PORT, rate: 10, callLimit: 100 }));
    uas.engine.start();
    uac.engine.start();
    scheduler.advance(450);
    expect(uac.engine.callsCreated).toBe(5);
    uac.engine.setPaused(true);
    expect(uac.engine.paused).toBe(true);
    scheduler.advance(3000);
    expect(uac.engine.callsCreated).toBe(5);
    uac.engine.setPaused(false);
    // The first call of the new schedule at once, then one each 100 ms: no catching up.
    scheduler.advance(450);
    expect(uac.engine.callsCreated).toBe(10);
    uac.engine.stop('signal');
  });

  it('setCallLimit: no more calls open than the limit', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }));
    const uac = await side(
      network,
      scenarioOf('uac'),
      configFor({ port: UAC_PORT, remotePort: UAS_PORT, rate: 10, callLimit: 100, defaultPauseMs: 5000 }),
    );
    uas.engine.start();
    uac.engine.start();
    uac.engine.setCallLimit(3);
    expect(uac.engine.openCallLimit).toBe(3);
    let most = 0;
    for (let t = 0; t < 3000; t += 50) {
      scheduler.advance(50);
      most = Math.max(most, uac.engine.openCalls);
    }
    expect(most).toBe(3);
    uac.engine.stop('signal');
  });

  it('setUsers: more users make more calls at once, fewer users fewer new calls', async () => {
    const { scheduler, network } = newNetwork(1);
    const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT }));
    const uac = await side(
      network,
      scenarioOf('uac'),
      configFor({ port: UAC_PORT, remotePort: UAS_PORT, users: 2, callLimit: 2, defaultPauseMs: 5000 }),
    );
    uas.engine.start();
    uac.engine.start();
    scheduler.advance(100);
    expect(uac.engine.openCalls).toBe(2);
    uac.engine.setUsers(4);
    expect(uac.engine.userCount).toBe(4);
    expect(uac.engine.openCallLimit).toBe(4);
    scheduler.advance(100);
    expect(uac.engine.openCalls).toBe(4);
    uac.engine.setUsers(1);
    scheduler.advance(6000);
    // The 4 calls ended; only 1 user makes calls now.
    expect(uac.engine.openCalls).toBe(1);
    uac.engine.stop('signal');
  });
});
