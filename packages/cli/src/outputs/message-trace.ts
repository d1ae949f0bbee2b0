import type { EngineEvent, EventSink } from '@gossipper/core';
import { BufferedFile } from './buffered-file.js';
import { sippTimestamp } from './time-format.js';

const RULE = '-----------------------------------------------';

/** `-trace_msg`: every SIP message sent and received, in SIPp's `<scenario>_<pid>_messages.log` layout. */
export class MessageTraceSink implements EventSink {
  private readonly file: BufferedFile;

  constructor(
    path: string,
    private readonly transportName: string,
    private readonly wallClockMs: () => number,
  ) {
    this.file = new BufferedFile(path);
  }

  emit(event: EngineEvent): void {
    if (event.kind === 'message-sent') {
      this.file.write(
        `${RULE} ${sippTimestamp(this.wallClockMs())}\n${this.transportName} message sent (${event.data.length} bytes):\n\n${event.data.toString('latin1')}\n`,
      );
    } else if (event.kind === 'message-received') {
      this.file.write(
        `${RULE} ${sippTimestamp(this.wallClockMs())}\n${this.transportName} message received [${event.data.length}] bytes :\n\n${event.data.toString('latin1')}\n`,
      );
    } else if (event.kind === 'command-sent') {
      // 3PCC, as SIPp writes it: the size and the text with the ESC terminator.
      this.file.write(
        `${RULE} ${sippTimestamp(this.wallClockMs())}\nTCP control message sent (${event.data.length + 1} bytes):\n\n${event.data.toString('latin1')}\x1b\n`,
      );
    } else if (event.kind === 'command-received') {
      this.file.write(
        `${RULE} ${sippTimestamp(this.wallClockMs())}\nTCP control message received [${event.data.length + 1}] bytes :\n\n${event.data.toString('latin1')}\n`,
      );
    }
  }

  close(): void {
    this.file.close();
  }
}

/** Fan one engine's events out to several sinks. */
export class EventFanout implements EventSink {
  constructor(private readonly sinks: EventSink[]) {}
  emit(event: EngineEvent): void {
    for (const sink of this.sinks) sink.emit(event);
  }
}
