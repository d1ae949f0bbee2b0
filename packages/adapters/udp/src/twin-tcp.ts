/**
 * SIPp's 3PCC twin sockets over TCP (the TwinChannel port). A command is its text followed
 * by one ESC byte (0x1b), in both directions.
 *
 * - `-3pcc ip:port`, first twin command `sendCmd` (controller A, A passive): connect to the
 *   twin at start-up; commands go out and come back on that one connection.
 * - `-3pcc ip:port`, first twin command `recvCmd` (controller B): listen there; commands are
 *   read from every accepted connection and sent on the last one accepted.
 * - 3PCC extended (`-master`/`-slave` with `-slave_cfg`): listen on the instance's own address;
 *   a master connects to every `dest=` peer at start-up, a slave when its first peer connects.
 *   Commands are sent on those outgoing connections, read from the accepted ones.
 */
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { CommandReceiver, Endpoint, ThirdPartyRole, TwinChannel } from '@gossipper/core';

const ESC = 0x1b;
const ESC_BUFFER = Buffer.from([ESC]);

export interface TcpTwinOptions {
  role: ThirdPartyRole;
  /** -3pcc: the twin's address (connect) or ours (listen). */
  twin?: Endpoint;
  /** Extended mode: our own address (from -slave_cfg by our -master/-slave name). */
  listen?: Endpoint;
  /** Extended mode: the `dest=` peers of the scenario and their addresses. */
  peers?: ReadonlyMap<string, Endpoint>;
  /** Connection events worth a line on stderr (a peer that went away). */
  onNotice?: (text: string) => void;
}

export class TcpTwinChannel implements TwinChannel {
  private receiver: CommandReceiver | undefined;
  private server: Server | undefined;
  private twinSocket: Socket | undefined;
  private readonly peerSockets = new Map<string, Socket>();
  private readonly accepted = new Set<Socket>();
  private peersConnected = false;
  /** Commands that arrived before the engine asked for them, or while the peers are being connected. */
  private readonly early: Buffer[] = [];
  /** A slave holds what it reads until its own connections to the peers are up (SIPp connects before reading). */
  private holding = false;
  private closing = false;
  private closedListener: (() => void) | undefined;
  private closedReported = false;

  constructor(private readonly options: TcpTwinOptions) {}

  /** Connect or listen as the role says. Rejects with SIPp's wording when that fails. */
  async start(): Promise<void> {
    const { role } = this.options;
    if (role === 'controller-a' || role === 'a-passive') {
      this.twinSocket = await this.connect(this.need(this.options.twin, '-3pcc'), 'twin sipp');
      return;
    }
    if (role === 'controller-b') {
      await this.listen(this.need(this.options.twin, '-3pcc'), (socket) => {
        this.twinSocket = socket;
      });
      return;
    }
    await this.listen(this.need(this.options.listen, '-slave_cfg'), () => {
      if (this.peersConnected) return;
      this.holding = true;
      this.connectPeers().then(
        () => this.release(),
        (error: Error) => {
          this.options.onNotice?.(error.message);
          this.release();
        },
      );
    });
    if (role === 'master' || role === 'master-passive') await this.connectPeers();
  }

  /** The port actually listened on (with port 0 in tests). */
  get listeningPort(): number | undefined {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  send(command: Buffer, dest: string | undefined): boolean {
    const socket = dest !== undefined ? this.peerSockets.get(dest) : this.twinSocket;
    if (socket === undefined || socket.destroyed || !socket.writable) return false;
    socket.write(Buffer.concat([command, ESC_BUFFER]));
    return true;
  }

  /**
   * Called once when a twin connection ends while the run goes on (the peer exited). SIPp then
   * exits at once as a controller B or in extended mode, and stops new calls as a controller A.
   */
  onClosed(listener: () => void): void {
    this.closedListener = listener;
  }

  onCommand(receiver: CommandReceiver): void {
    this.receiver = receiver;
    for (const command of this.early.splice(0)) receiver(command);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const socket of [this.twinSocket, ...this.peerSockets.values(), ...this.accepted]) socket?.destroy();
    this.peerSockets.clear();
    this.accepted.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private need(endpoint: Endpoint | undefined, flag: string): Endpoint {
    if (endpoint === undefined) throw new Error(`3PCC: no address for this instance (${flag})`);
    return endpoint;
  }

  private async connectPeers(): Promise<void> {
    if (this.peersConnected) return;
    this.peersConnected = true;
    for (const [name, endpoint] of this.options.peers ?? []) {
      this.peerSockets.set(name, await this.connect(endpoint, `peer ${name}`));
    }
  }

  private connect(to: Endpoint, what: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: to.address, port: to.port });
      socket.setNoDelay(true);
      const onError = (error: Error) =>
        reject(new Error(`Unable to connect a ${what} socket to ${to.address}:${to.port}: ${error.message}`));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        this.read(socket);
        resolve(socket);
      });
    });
  }

  private listen(on: Endpoint, accepted: (socket: Socket) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        socket.setNoDelay(true);
        this.accepted.add(socket);
        socket.on('close', () => this.accepted.delete(socket));
        this.read(socket);
        accepted(socket);
      });
      server.once('error', (error) =>
        reject(new Error(`Unable to bind twin sipp socket on ${on.address}:${on.port}: ${error.message}`)),
      );
      server.listen({ host: on.address, port: on.port }, () => {
        this.server = server;
        resolve();
      });
    });
  }

  /** Split a connection's bytes into commands at each ESC. */
  private read(socket: Socket): void {
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let end = pending.indexOf(ESC);
      while (end >= 0) {
        const command = pending.subarray(0, end);
        pending = pending.subarray(end + 1);
        if (command.length > 0) this.deliver(Buffer.from(command));
        end = pending.indexOf(ESC);
      }
    });
    socket.on('error', (error) => this.options.onNotice?.(`3PCC connection: ${error.message}`));
    socket.on('close', () => {
      if (this.closing || this.closedReported) return;
      this.closedReported = true;
      this.closedListener?.();
    });
  }

  private deliver(command: Buffer): void {
    if (this.receiver !== undefined && !this.holding) this.receiver(command);
    else this.early.push(command);
  }

  private release(): void {
    this.holding = false;
    if (this.receiver === undefined) return;
    for (const command of this.early.splice(0)) this.receiver(command);
  }
}
