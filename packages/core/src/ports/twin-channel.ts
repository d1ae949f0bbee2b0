/**
 * 3PCC twin commands (`<sendCmd>` / `<recvCmd>`) between SIPp instances. On the wire (TCP)
 * each command is its rendered text followed by one ESC byte (0x1b); the channel adds and
 * removes that terminator, the engine sees the text only.
 */
export type CommandReceiver = (command: Buffer) => void;

export interface TwinChannel {
  /**
   * Send one command to the twin (-3pcc), or to peer `dest` of the -slave_cfg file (3PCC
   * extended mode). False when it could not be sent (no connection, unknown peer): the call
   * then fails as SIPp's FailedCmdNotSent. Must not throw.
   */
  send(command: Buffer, dest: string | undefined): boolean;
  /** Where received commands go, one call per command (terminator removed). */
  onCommand(receiver: CommandReceiver): void;
}
