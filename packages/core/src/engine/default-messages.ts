// The messages SIPp 3.6.1 builds by itself (src/call.cpp default_message_strings): the ACK,
// BYE and CANCEL with which it aborts a client call, and the 200 with which it answers an
// unexpected BYE, CANCEL or PING. A scenario's <DefaultMessage id="..."> replaces one.
import { compileTemplate } from '../template/compile.js';
import type { CompiledTemplate } from '../template/types.js';

const SIPP_DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  ack:
    'ACK [last_Request_URI] SIP/2.0\n' +
    '[last_Via]\n' +
    '[last_From]\n' +
    '[last_To]\n' +
    'Call-ID: [call_id]\n' +
    'CSeq: [last_cseq_number] ACK\n' +
    'Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>\n' +
    'Max-Forwards: 70\n' +
    'Subject: Performance Test\n' +
    'Content-Length: 0\n\n',
  bye:
    'BYE [last_Request_URI] SIP/2.0\n' +
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n' +
    '[last_From]\n' +
    '[last_To]\n' +
    'Call-ID: [call_id]\n' +
    'CSeq: [last_cseq_number+1] BYE\n' +
    'Max-Forwards: 70\n' +
    'Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>\n' +
    'Content-Length: 0\n\n',
  cancel:
    'CANCEL [last_Request_URI] SIP/2.0\n' +
    '[last_Via]\n' +
    '[last_From]\n' +
    '[last_To]\n' +
    'Call-ID: [call_id]\n' +
    'CSeq: [last_cseq_number] CANCEL\n' +
    'Max-Forwards: 70\n' +
    'Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>\n' +
    'Content-Length: 0\n\n',
  '200':
    'SIP/2.0 200 OK\n' +
    '[last_Via:]\n' +
    '[last_From:]\n' +
    '[last_To:]\n' +
    '[last_Call-ID:]\n' +
    '[last_CSeq:]\n' +
    'Contact: <sip:[local_ip]:[local_port];transport=[transport]>\n' +
    'Content-Length: 0\n\n',
};

export type DefaultMessageName = 'ack' | 'bye' | 'cancel' | '200';

/** The four messages the engine may send on its own, the scenario's own where it has one. */
export function defaultMessages(overrides: ReadonlyMap<string, CompiledTemplate>): Record<DefaultMessageName, CompiledTemplate> {
  const pick = (name: DefaultMessageName): CompiledTemplate =>
    overrides.get(name) ?? compileTemplate(SIPP_DEFAULT_MESSAGES[name]!, { file: `sipp-default:${name}`, line: 1 });
  return { ack: pick('ack'), bye: pick('bye'), cancel: pick('cancel'), '200': pick('200') };
}
