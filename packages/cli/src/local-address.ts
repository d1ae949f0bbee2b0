import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/**
 * The local address the OS would use to reach `remote`: what SIPp puts in [local_ip] when
 * -i is not given. A connected UDP socket sends nothing, it only asks the routing table.
 */
export async function localAddressToward(remote: string | undefined, family: 4 | 6): Promise<string> {
  const fallback = family === 6 ? '::1' : '127.0.0.1';
  if (remote === undefined || remote === '') return fallback;
  return new Promise((resolve) => {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (address: string) => {
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve(address);
    };
    socket.once('error', () => done(fallback));
    socket.connect(9, remote, () => {
      try {
        done(socket.address().address);
      } catch {
        done(fallback);
      }
    });
  });
}

export function ipFamilyOf(address: string | undefined): 4 | 6 {
  return address !== undefined && isIPv6(address) ? 6 : 4;
}
