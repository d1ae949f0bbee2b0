// CONTRACT STUB: the SIP message helper replaces this file with the real implementation,
// keeping these exported names and signatures.

/** A datagram or frame that is not a SIP message; never thrown into socket handlers. */
export class SipParseError {
  constructor(
    readonly reason: string,
    /** Byte offset where parsing gave up, when known. */
    readonly offset: number = -1,
  ) {}
}

/**
 * One SIP message over a Buffer. Routing fields are extracted by an indexOf scan at parse
 * time; the full header list is built lazily on first use of `header*`.
 */
export declare class SipMessage {
  readonly raw: Buffer;
  readonly isRequest: boolean;
  /** Request method, '' for a response. */
  readonly method: string;
  /** Status code, 0 for a request. */
  readonly statusCode: number;
  readonly reasonPhrase: string;
  readonly requestUri: string;
  readonly callId: string;
  readonly cseqNumber: number;
  readonly cseqMethod: string;
  /** branch parameter of the first Via, '' when none. */
  readonly topViaBranch: string;
  /** First value of a header (case-insensitive, compact forms accepted), undefined when absent. */
  header(name: string): string | undefined;
  /** Every value of a header in order: one entry per header line, comma lists split into entries. */
  headerValues(name: string): string[];
  /** Every header line in order as [name as written, value]. */
  headerLines(): ReadonlyArray<readonly [string, string]>;
  /** tag parameter of From / To, '' when none. */
  readonly fromTag: string;
  readonly toTag: string;
  readonly body: Buffer;
}

export declare function parseSipMessage(data: Buffer): SipMessage | SipParseError;
