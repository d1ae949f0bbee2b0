// Reproduces real SIPp 3.6.1 output byte for byte from the same numbers.
//
// Fixtures captured in /tmp dirs with the installed SIPp 3.6.1 (Debian `sip-tester`), TZ=UTC
// unless noted:
//   uac:  sipp -sn uas -p 5072 -m 20 -trace_stat -fd 1 -bg
//         sipp -sn uac 127.0.0.1:5072 -p 5073 -r 10 -m 20 -trace_stat -fd 1 -trace_screen </dev/null
//   rtdt: TZ=Asia/Kolkata sipp -sf rtdt.xml 127.0.0.1:5082 -p 5083 -r 5 -m 12 -trace_stat -fd 1
//         -trace_screen -stat_delimiter ','   (RTDs "inv" and "call", repartition "5, 20, 1")
//   uas:  sipp -sn uas -p 5082 -m 12 -trace_stat -fd 1 -trace_screen </dev/null
//   nortd: the rtdt scenario without rtd attributes or repartition tables.
// The stdout fixtures start after SIPp's "Resolving remote host" and error lines.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statCsvFileName, statCsvHeader, statCsvRow } from '../../src/stats/csv.js';
import { RunStats } from '../../src/stats/run-stats.js';
import type { StatsStep } from '../../src/stats/run-stats.js';
import {
  footerLine,
  renderClosingScreens,
  renderRepartitionScreen,
  renderScenarioScreen,
  renderScreenLog,
  renderStatsScreen,
  screenLogFileName,
} from '../../src/stats/screen.js';
import type { ScreenInfo } from '../../src/stats/screen.js';
import { makeDistribution } from '../../src/scenario/distribution.js';
import type { PauseSpec } from '../../src/scenario/distribution.js';

const fixedPause = (value: number): PauseSpec => ({
  kind: 'distribution',
  distribution: makeDistribution({ kind: 'fixed', value }),
  sanityCheck: true,
  ignoredAttributes: [],
});
const defaultPause: PauseSpec = {
  kind: 'distribution',
  distribution: makeDistribution({ kind: 'default' }),
  sanityCheck: true,
  ignoredAttributes: [],
};


const UAC_CSV_HEADER =
  "StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);TargetRate;CallRate(P);CallRate(C);IncomingCall(P);IncomingCall(C);OutgoingCall(P);OutgoingCall(C);TotalCallCreated;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);FailedCannotSendMessage(P);FailedCannotSendMessage(C);FailedMaxUDPRetrans(P);FailedMaxUDPRetrans(C);FailedTcpConnect(P);FailedTcpConnect(C);FailedTcpClosed(P);FailedTcpClosed(C);FailedUnexpectedMessage(P);FailedUnexpectedMessage(C);FailedCallRejected(P);FailedCallRejected(C);FailedCmdNotSent(P);FailedCmdNotSent(C);FailedRegexpDoesntMatch(P);FailedRegexpDoesntMatch(C);FailedRegexpShouldntMatch(P);FailedRegexpShouldntMatch(C);FailedRegexpHdrNotFound(P);FailedRegexpHdrNotFound(C);FailedOutboundCongestion(P);FailedOutboundCongestion(C);FailedTimeoutOnRecv(P);FailedTimeoutOnRecv(C);FailedTimeoutOnSend(P);FailedTimeoutOnSend(C);FailedTestDoesntMatch(P);FailedTestDoesntMatch(C);FailedTestShouldntMatch(P);FailedTestShouldntMatch(C);FailedStrcmpDoesntMatch(P);FailedStrcmpDoesntMatch(C);FailedStrcmpShouldntMatch(P);FailedStrcmpShouldntMatch(C);OutOfCallMsgs(P);OutOfCallMsgs(C);DeadCallMsgs(P);DeadCallMsgs(C);Retransmissions(P);Retransmissions(C);AutoAnswered(P);AutoAnswered(C);Warnings(P);Warnings(C);FatalErrors(P);FatalErrors(C);WatchdogMajor(P);WatchdogMajor(C);WatchdogMinor(P);WatchdogMinor(C);ResponseTime1(P);ResponseTime1(C);ResponseTime1StDev(P);ResponseTime1StDev(C);CallLength(P);CallLength(C);CallLengthStDev(P);CallLengthStDev(C);ResponseTimeRepartition1;ResponseTimeRepartition1_<10;ResponseTimeRepartition1_<20;ResponseTimeRepartition1_<30;ResponseTimeRepartition1_<40;ResponseTimeRepartition1_<50;ResponseTimeRepartition1_<100;ResponseTimeRepartition1_<150;ResponseTimeRepartition1_<200;ResponseTimeRepartition1_>=200;CallLengthRepartition;CallLengthRepartition_<10;CallLengthRepartition_<50;CallLengthRepartition_<100;CallLengthRepartition_<500;CallLengthRepartition_<1000;CallLengthRepartition_<5000;CallLengthRepartition_<10000;CallLengthRepartition_>=10000;";

const UAC_CSV_ROWS = [
  "2026-11-23\t09:23:51.264220\t1795425831.264220;2026-11-23\t09:23:51.264220\t1795425831.264220;2026-11-23\t09:23:51.265232\t1795425831.265232;00:00:00;00:00:00;10;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;;0;0;0;0;0;0;0;0;0;;0;0;0;0;0;0;0;0;",
  "2026-11-23\t09:23:51.264220\t1795425831.264220;2026-11-23\t09:23:51.265545\t1795425831.265545;2026-11-23\t09:23:52.265970\t1795425832.265970;00:00:01;00:00:01;10;10;9.99001;0;0;10;10;10;1;9;9;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:006000;00:00:00:006000;00:00:00:002000;00:00:00:002000;;9;0;0;0;0;0;0;0;0;;8;1;0;0;0;0;0;0;",
  "2026-11-23\t09:23:51.264220\t1795425831.264220;2026-11-23\t09:23:52.266076\t1795425832.266076;2026-11-23\t09:23:53.273819\t1795425833.273819;00:00:01;00:00:02;10;9.93049;9.9552;0;0;10;20;20;1;10;19;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:006000;00:00:00:006000;00:00:00:002000;00:00:00:002000;;20;0;0;0;0;0;0;0;0;;17;2;0;0;0;0;0;0;",
  "2026-11-23\t09:23:51.264220\t1795425831.264220;2026-11-23\t09:23:53.273935\t1795425833.273935;2026-11-23\t09:23:53.275272\t1795425833.275272;00:00:00;00:00:02;10;0;9.9453;0;0;0;20;20;0;1;20;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;1;1;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:008000;00:00:00:006000;2562047788015:12:55:808000;00:00:00:002000;;20;0;0;0;0;0;0;0;0;;18;2;0;0;0;0;0;0;",
  "2026-11-23\t09:23:51.264220\t1795425831.264220;2026-11-23\t09:23:53.275300\t1795425833.275300;2026-11-23\t09:23:53.275441\t1795425833.275441;00:00:00;00:00:02;10;0;9.9453;0;0;0;20;20;0;0;20;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;1;0;0;0;0;0;0;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:000000;00:00:00:006000;00:00:00:000000;00:00:00:002000;;20;0;0;0;0;0;0;0;0;;18;2;0;0;0;0;0;0;",
];

const RTDT_CSV_HEADER =
  "StartTime,LastResetTime,CurrentTime,ElapsedTime(P),ElapsedTime(C),TargetRate,CallRate(P),CallRate(C),IncomingCall(P),IncomingCall(C),OutgoingCall(P),OutgoingCall(C),TotalCallCreated,CurrentCall,SuccessfulCall(P),SuccessfulCall(C),FailedCall(P),FailedCall(C),FailedCannotSendMessage(P),FailedCannotSendMessage(C),FailedMaxUDPRetrans(P),FailedMaxUDPRetrans(C),FailedTcpConnect(P),FailedTcpConnect(C),FailedTcpClosed(P),FailedTcpClosed(C),FailedUnexpectedMessage(P),FailedUnexpectedMessage(C),FailedCallRejected(P),FailedCallRejected(C),FailedCmdNotSent(P),FailedCmdNotSent(C),FailedRegexpDoesntMatch(P),FailedRegexpDoesntMatch(C),FailedRegexpShouldntMatch(P),FailedRegexpShouldntMatch(C),FailedRegexpHdrNotFound(P),FailedRegexpHdrNotFound(C),FailedOutboundCongestion(P),FailedOutboundCongestion(C),FailedTimeoutOnRecv(P),FailedTimeoutOnRecv(C),FailedTimeoutOnSend(P),FailedTimeoutOnSend(C),FailedTestDoesntMatch(P),FailedTestDoesntMatch(C),FailedTestShouldntMatch(P),FailedTestShouldntMatch(C),FailedStrcmpDoesntMatch(P),FailedStrcmpDoesntMatch(C),FailedStrcmpShouldntMatch(P),FailedStrcmpShouldntMatch(C),OutOfCallMsgs(P),OutOfCallMsgs(C),DeadCallMsgs(P),DeadCallMsgs(C),Retransmissions(P),Retransmissions(C),AutoAnswered(P),AutoAnswered(C),Warnings(P),Warnings(C),FatalErrors(P),FatalErrors(C),WatchdogMajor(P),WatchdogMajor(C),WatchdogMinor(P),WatchdogMinor(C),ResponseTimeinv(P),ResponseTimeinv(C),ResponseTimeinvStDev(P),ResponseTimeinvStDev(C),ResponseTimecall(P),ResponseTimecall(C),ResponseTimecallStDev(P),ResponseTimecallStDev(C),CallLength(P),CallLength(C),CallLengthStDev(P),CallLengthStDev(C),ResponseTimeRepartitioninv,ResponseTimeRepartitioninv_<1,ResponseTimeRepartitioninv_<5,ResponseTimeRepartitioninv_<20,ResponseTimeRepartitioninv_>=20,ResponseTimeRepartitioncall,ResponseTimeRepartitioncall_<1,ResponseTimeRepartitioncall_<5,ResponseTimeRepartitioncall_<20,ResponseTimeRepartitioncall_>=20,CallLengthRepartition,CallLengthRepartition_<50,CallLengthRepartition_<200,CallLengthRepartition_>=200,";

const NORTD_CSV_HEADER =
  "StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);TargetRate;CallRate(P);CallRate(C);IncomingCall(P);IncomingCall(C);OutgoingCall(P);OutgoingCall(C);TotalCallCreated;CurrentCall;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);FailedCannotSendMessage(P);FailedCannotSendMessage(C);FailedMaxUDPRetrans(P);FailedMaxUDPRetrans(C);FailedTcpConnect(P);FailedTcpConnect(C);FailedTcpClosed(P);FailedTcpClosed(C);FailedUnexpectedMessage(P);FailedUnexpectedMessage(C);FailedCallRejected(P);FailedCallRejected(C);FailedCmdNotSent(P);FailedCmdNotSent(C);FailedRegexpDoesntMatch(P);FailedRegexpDoesntMatch(C);FailedRegexpShouldntMatch(P);FailedRegexpShouldntMatch(C);FailedRegexpHdrNotFound(P);FailedRegexpHdrNotFound(C);FailedOutboundCongestion(P);FailedOutboundCongestion(C);FailedTimeoutOnRecv(P);FailedTimeoutOnRecv(C);FailedTimeoutOnSend(P);FailedTimeoutOnSend(C);FailedTestDoesntMatch(P);FailedTestDoesntMatch(C);FailedTestShouldntMatch(P);FailedTestShouldntMatch(C);FailedStrcmpDoesntMatch(P);FailedStrcmpDoesntMatch(C);FailedStrcmpShouldntMatch(P);FailedStrcmpShouldntMatch(C);OutOfCallMsgs(P);OutOfCallMsgs(C);DeadCallMsgs(P);DeadCallMsgs(C);Retransmissions(P);Retransmissions(C);AutoAnswered(P);AutoAnswered(C);Warnings(P);Warnings(C);FatalErrors(P);FatalErrors(C);WatchdogMajor(P);WatchdogMajor(C);WatchdogMinor(P);WatchdogMinor(C);CallLength(P);CallLength(C);CallLengthStDev(P);CallLengthStDev(C);";

const UAC_CLOSING = [
  "------------------------------ Scenario Screen -------- [1-9]: Change Screen --",
  "  Call rate (length)   Port   Total-time  Total-calls  Remote-host",
  "  10.0(0 ms)/1.000s   5073       2.01 s           20  127.0.0.1:5072(UDP)",
  "",
  "  Call limit 20 hit, 0.0 s period         0 ms scheduler resolution            ",
  "  0 calls (limit 30)                      Peak was 1 calls, after 0 s",
  "  0 Running, 21 Paused, 0 Woken up",
  "  0 dead call msg (discarded)             0 out-of-call msg (discarded)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "",
  "                                 Messages  Retrans   Timeout   Unexpected-Msg",
  "      INVITE ---------->         20        0         0                         ",
  "         100 <----------         0         0         0         0               ",
  "         180 <----------         20        0         0         0               ",
  "         183 <----------         0         0         0         0               ",
  "         200 <----------  E-RTD1 20        0         0         0               ",
  "         ACK ---------->         20        0                                   ",
  "       Pause [      0ms]         20                            0        ",
  "         BYE ---------->         20        0         0                         ",
  "         200 <----------         20        0         0         0               ",
  "",
  "------------------------------ Test Terminated --------------------------------",
  "----------------------------- Statistics Screen ------- [1-9]: Change Screen --",
  "  Start Time             | 2026-11-23\t09:23:51.264220\t1795425831.264220         ",
  "  Last Reset Time        | 2026-11-23\t09:23:53.275272\t1795425833.275272         ",
  "  Current Time           | 2026-11-23\t09:23:53.275425\t1795425833.275425         ",
  "-------------------------+---------------------------+--------------------------",
  "  Counter Name           | Periodic value            | Cumulative value",
  "-------------------------+---------------------------+--------------------------",
  "  Elapsed Time           | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Rate              |    0.000 cps              |    9.945 cps             ",
  "-------------------------+---------------------------+--------------------------",
  "  Incoming calls created |        0                  |        0                 ",
  "  Outgoing calls created |        0                  |       20                 ",
  "  Total Calls created    |                           |       20                 ",
  "  Current Calls          |        0                  |                          ",
  "-------------------------+---------------------------+--------------------------",
  "  Successful call        |        0                  |       20                 ",
  "  Failed call            |        0                  |        0                 ",
  "-------------------------+---------------------------+--------------------------",
  "  Response Time 1        | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Length            | 00:00:00:000000           | 00:00:00:000000          ",
  "------------------------------ Test Terminated --------------------------------",
];

const UAC_SCREEN_LOG = [
  "------------------------------ Scenario Screen -------- [1-9]: Change Screen --",
  "  Call rate (length)   Port   Total-time  Total-calls  Remote-host",
  "  10.0(0 ms)/1.000s   5073       2.01 s           20  127.0.0.1:5072(UDP)",
  "",
  "  Call limit 20 hit, 0.0 s period         0 ms scheduler resolution            ",
  "  0 calls (limit 30)                      Peak was 1 calls, after 0 s",
  "  0 Running, 21 Paused, 48 Woken up",
  "  0 dead call msg (discarded)             0 out-of-call msg (discarded)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "",
  "                                 Messages  Retrans   Timeout   Unexpected-Msg",
  "      INVITE ---------->         20        0         0                         ",
  "         100 <----------         0         0         0         0               ",
  "         180 <----------         20        0         0         0               ",
  "         183 <----------         0         0         0         0               ",
  "         200 <----------  E-RTD1 20        0         0         0               ",
  "         ACK ---------->         20        0                                   ",
  "       Pause [      0ms]         20                            0        ",
  "         BYE ---------->         20        0         0                         ",
  "         200 <----------         20        0         0         0               ",
  "",
  "Last Error: Failed to delete FD from epoll, errno = 1 (Operation not per...",
  "------- Waiting for active calls to end. Press [q] again to force exit. -------",
  "----------------------------- Statistics Screen ------- [1-9]: Change Screen --",
  "  Start Time             | 2026-11-23\t09:23:51.264220\t1795425831.264220         ",
  "  Last Reset Time        | 2026-11-23\t09:23:53.275272\t1795425833.275272         ",
  "  Current Time           | 2026-11-23\t09:23:53.275339\t1795425833.275339         ",
  "-------------------------+---------------------------+--------------------------",
  "  Counter Name           | Periodic value            | Cumulative value",
  "-------------------------+---------------------------+--------------------------",
  "  Elapsed Time           | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Rate              |    0.000 cps              |    9.945 cps             ",
  "-------------------------+---------------------------+--------------------------",
  "  Incoming calls created |        0                  |        0                 ",
  "  Outgoing calls created |        0                  |       20                 ",
  "  Total Calls created    |                           |       20                 ",
  "  Current Calls          |        0                  |                          ",
  "-------------------------+---------------------------+--------------------------",
  "  Successful call        |        0                  |       20                 ",
  "  Failed call            |        0                  |        0                 ",
  "-------------------------+---------------------------+--------------------------",
  "  Response Time 1        | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Length            | 00:00:00:000000           | 00:00:00:000000          ",
  "Last Error: Failed to delete FD from epoll, errno = 1 (Operation not per...",
  "------- Waiting for active calls to end. Press [q] again to force exit. -------",
  "---------------------------- Repartition Screen ------- [1-9]: Change Screen --",
  "  Average Response Time Repartition 1                                          ",
  "             0 ms <= n <         10 ms :         20",
  "            10 ms <= n <         20 ms :          0",
  "            20 ms <= n <         30 ms :          0",
  "            30 ms <= n <         40 ms :          0",
  "            40 ms <= n <         50 ms :          0",
  "            50 ms <= n <        100 ms :          0",
  "           100 ms <= n <        150 ms :          0",
  "           150 ms <= n <        200 ms :          0",
  "                   n >=        200 ms :          0",
  "  Average Call Length Repartition                                              ",
  "             0 ms <= n <         10 ms :         18",
  "            10 ms <= n <         50 ms :          2",
  "            50 ms <= n <        100 ms :          0",
  "           100 ms <= n <        500 ms :          0",
  "           500 ms <= n <       1000 ms :          0",
  "          1000 ms <= n <       5000 ms :          0",
  "          5000 ms <= n <      10000 ms :          0",
  "                   n >=      10000 ms :          0",
  "Last Error: Failed to delete FD from epoll, errno = 1 (Operation not per...",
  "------- Waiting for active calls to end. Press [q] again to force exit. -------",
];

const RTDT_CLOSING = [
  "------------------------------ Scenario Screen -------- [1-9]: Change Screen --",
  "  Call rate (length)   Port   Total-time  Total-calls  Remote-host",
  "  5.0(0 ms)/1.000s   5083       2.44 s           12  127.0.0.1:5082(UDP)",
  "",
  "  Call limit 12 hit, 0.0 s period         0 ms scheduler resolution            ",
  "  0 calls (limit 15)                      Peak was 1 calls, after 0 s",
  "  0 Running, 15 Paused, 0 Woken up",
  "  0 dead call msg (discarded)             0 out-of-call msg (discarded)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "",
  "                                 Messages  Retrans   Timeout   Unexpected-Msg",
  "      INVITE ---------->  B-RTD1 12        0         0                         ",
  "         100 <----------         0         0         0         0               ",
  "         180 <----------         12        0         0         0               ",
  "         200 <----------  B-RTD2 12        0         0         0               ",
  "         ACK ---------->         12        0                                   ",
  "       Pause [     30ms]         12                            0        ",
  "",
  "         BYE ---------->         12        0         0                         ",
  "         200 <----------  E-RTD2 12        0         0         0               ",
  "",
  " hello nop",
  "------------------------------ Test Terminated --------------------------------",
  "----------------------------- Statistics Screen ------- [1-9]: Change Screen --",
  "  Start Time             | 2026-11-23\t14:56:21.540690\t1795425981.540690         ",
  "  Last Reset Time        | 2026-11-23\t14:56:23.984467\t1795425983.984467         ",
  "  Current Time           | 2026-11-23\t14:56:23.984662\t1795425983.984662         ",
  "-------------------------+---------------------------+--------------------------",
  "  Counter Name           | Periodic value            | Cumulative value",
  "-------------------------+---------------------------+--------------------------",
  "  Elapsed Time           | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Rate              |    0.000 cps              |    4.912 cps             ",
  "-------------------------+---------------------------+--------------------------",
  "  Incoming calls created |        0                  |        0                 ",
  "  Outgoing calls created |        0                  |       12                 ",
  "  Total Calls created    |                           |       12                 ",
  "  Current Calls          |        0                  |                          ",
  "-------------------------+---------------------------+--------------------------",
  "  Successful call        |        0                  |       12                 ",
  "  Failed call            |        0                  |        0                 ",
  "-------------------------+---------------------------+--------------------------",
  "  Response Time inv      | 00:00:00:000000           | 00:00:00:000000          ",
  "  Response Time call     | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Length            | 00:00:00:000000           | 00:00:00:000000          ",
  "------------------------------ Test Terminated --------------------------------",
];

const RTDT_SCREEN_LOG = [
  "------------------------------ Scenario Screen -------- [1-9]: Change Screen --",
  "  Call rate (length)   Port   Total-time  Total-calls  Remote-host",
  "  5.0(0 ms)/1.000s   5083       2.44 s           12  127.0.0.1:5082(UDP)",
  "",
  "  Call limit 12 hit, 0.0 s period         0 ms scheduler resolution            ",
  "  0 calls (limit 15)                      Peak was 1 calls, after 0 s",
  "  0 Running, 15 Paused, 34 Woken up",
  "  0 dead call msg (discarded)             0 out-of-call msg (discarded)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "",
  "                                 Messages  Retrans   Timeout   Unexpected-Msg",
  "      INVITE ---------->  B-RTD1 12        0         0                         ",
  "         100 <----------         0         0         0         0               ",
  "         180 <----------         12        0         0         0               ",
  "         200 <----------  B-RTD2 12        0         0         0               ",
  "         ACK ---------->         12        0                                   ",
  "       Pause [     30ms]         12                            0        ",
  "",
  "         BYE ---------->         12        0         0                         ",
  "         200 <----------  E-RTD2 12        0         0         0               ",
  "",
  " hello nop",
  "Last Error: Failed to delete FD from epoll, errno = 1 (Operation not per...",
  "------- Waiting for active calls to end. Press [q] again to force exit. -------",
  "----------------------------- Statistics Screen ------- [1-9]: Change Screen --",
  "  Start Time             | 2026-11-23\t14:56:21.540690\t1795425981.540690         ",
  "  Last Reset Time        | 2026-11-23\t14:56:23.984467\t1795425983.984467         ",
  "  Current Time           | 2026-11-23\t14:56:23.984574\t1795425983.984574         ",
  "-------------------------+---------------------------+--------------------------",
  "  Counter Name           | Periodic value            | Cumulative value",
  "-------------------------+---------------------------+--------------------------",
  "  Elapsed Time           | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Rate              |    0.000 cps              |    4.912 cps             ",
  "-------------------------+---------------------------+--------------------------",
  "  Incoming calls created |        0                  |        0                 ",
  "  Outgoing calls created |        0                  |       12                 ",
  "  Total Calls created    |                           |       12                 ",
  "  Current Calls          |        0                  |                          ",
  "-------------------------+---------------------------+--------------------------",
  "  Successful call        |        0                  |       12                 ",
  "  Failed call            |        0                  |        0                 ",
  "-------------------------+---------------------------+--------------------------",
  "  Response Time inv      | 00:00:00:000000           | 00:00:00:000000          ",
  "  Response Time call     | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Length            | 00:00:00:000000           | 00:00:00:000000          ",
  "Last Error: Failed to delete FD from epoll, errno = 1 (Operation not per...",
  "------- Waiting for active calls to end. Press [q] again to force exit. -------",
  "---------------------------- Repartition Screen ------- [1-9]: Change Screen --",
  "  Average Response Time Repartition inv                                        ",
  "             0 ms <= n <          1 ms :         12",
  "             1 ms <= n <          5 ms :          0",
  "             5 ms <= n <         20 ms :          0",
  "                   n >=         20 ms :          0",
  "  Average Call Length Repartition                                              ",
  "             0 ms <= n <         50 ms :         12",
  "            50 ms <= n <        200 ms :          0",
  "                   n >=        200 ms :          0",
  "Last Error: Failed to delete FD from epoll, errno = 1 (Operation not per...",
  "------- Waiting for active calls to end. Press [q] again to force exit. -------",
  "--------------------------- Repartition 2 Screen ------ [1-9]: Change Screen --",
  "  Average Response Time Repartition call                                       ",
  "             0 ms <= n <          1 ms :          0",
  "             1 ms <= n <          5 ms :          0",
  "             5 ms <= n <         20 ms :          0",
  "                   n >=         20 ms :         12",
  "Last Error: Failed to delete FD from epoll, errno = 1 (Operation not per...",
  "------- Waiting for active calls to end. Press [q] again to force exit. -------",
];

const UAS_CLOSING = [
  "------------------------------ Scenario Screen -------- [1-9]: Change Screen --",
  "  Port   Total-time  Total-calls  Transport",
  "  5082       6.95 s           12  UDP",
  "",
  "  Call limit 12 hit, 0.0 s period         0 ms scheduler resolution            ",
  "  0 calls                                 Peak was 12 calls, after 2 s",
  "  0 Running, 14 Paused, 0 Woken up",
  "  0 dead call msg (discarded)           ",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "  0 open sockets                          0/0/0 UDP errors (send/recv/cong)",
  "",
  "                                 Messages  Retrans   Timeout   Unexpected-Msg",
  "  ----------> INVITE             12        0         0         0               ",
  "",
  "  <---------- 180                12        0                                   ",
  "  <---------- 200                12        0         0                         ",
  "  ----------> ACK         E-RTD1 12        0         0         0               ",
  "",
  "  ----------> BYE                12        0         0         0               ",
  "  <---------- 200                12        0                                   ",
  "  [   4000ms] Pause              12                            0        ",
  "------------------------------ Test Terminated --------------------------------",
  "----------------------------- Statistics Screen ------- [1-9]: Change Screen --",
  "  Start Time             | 2026-11-23\t09:26:21.035385\t1795425981.035385         ",
  "  Last Reset Time        | 2026-11-23\t09:26:27.987351\t1795425987.987351         ",
  "  Current Time           | 2026-11-23\t09:26:27.987547\t1795425987.987547         ",
  "-------------------------+---------------------------+--------------------------",
  "  Counter Name           | Periodic value            | Cumulative value",
  "-------------------------+---------------------------+--------------------------",
  "  Elapsed Time           | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Rate              |    0.000 cps              |    1.726 cps             ",
  "-------------------------+---------------------------+--------------------------",
  "  Incoming calls created |        0                  |       12                 ",
  "  Outgoing calls created |        0                  |        0                 ",
  "  Total Calls created    |                           |       12                 ",
  "  Current Calls          |        0                  |                          ",
  "-------------------------+---------------------------+--------------------------",
  "  Successful call        |        0                  |       12                 ",
  "  Failed call            |        0                  |        0                 ",
  "-------------------------+---------------------------+--------------------------",
  "  Response Time 1        | 00:00:00:000000           | 00:00:00:000000          ",
  "  Call Length            | 00:00:00:000000           | 00:00:00:000000          ",
  "------------------------------ Test Terminated --------------------------------",
];


const text = (lines: string[]): string => lines.map((l) => l + '\n').join('');

/** A clock whose wall time is `startWall + mono`. */
function fakeClock(startWall: number) {
  const clock = { t: 0, now: () => clock.t, wallClockMs: () => startWall + clock.t };
  return clock;
}

const c = { crlf: false, startRtd: [] as string[], rtd: [] as string[] };
const send = (what: string | number, extra: Partial<StatsStep> = {}): StatsStep =>
  ({
    kind: 'send',
    isRequest: typeof what === 'string',
    ...(typeof what === 'string' ? { method: what } : { statusCode: what }),
    ...c,
    ...extra,
  }) as StatsStep;
const recv = (what: string | number, extra: Partial<StatsStep> = {}): StatsStep =>
  ({ kind: 'recv', ...(typeof what === 'string' ? { request: what } : { response: what }), ...c, ...extra }) as StatsStep;

/** SIPp's built-in uac scenario, as the scenario loader gives it. */
const UAC_SCENARIO = {
  steps: [
    send('INVITE', { retrans: 500 }),
    recv(100),
    recv(180),
    recv(183),
    recv(200, { rtd: ['1'] }),
    send('ACK'),
    { kind: 'pause', pause: defaultPause, ...c } as StatsStep,
    send('BYE', { retrans: 500 }),
    recv(200, { crlf: true }),
  ],
  rtdNames: ['1'],
  responseTimeRepartition: [10, 20, 30, 40, 50, 100, 150, 200],
  callLengthRepartition: [10, 50, 100, 500, 1000, 5000, 10000],
};

const UAC_START = 1795425831264.22;
/** mono ms since the start of the run for a wall time given in the capture (seconds). */
const uacAt = (epochSeconds: number): number => Math.round(epochSeconds * 1e6 - UAC_START * 1e3) / 1000;

/** Replays the uac capture: returns the CSV as SIPp wrote it, and the stats at its end. */
function replayUac() {
  const clock = fakeClock(UAC_START);
  const s = new RunStats(UAC_SCENARIO, clock);
  s.setTargetRate(10);
  let csv = statCsvHeader(s);
  const row = (at: number, resetAt: number): void => {
    clock.t = uacAt(at);
    csv += statCsvRow(s, { utc: true });
    clock.t = uacAt(resetAt);
    s.resetPeriodic('log');
  };
  const create = (): void => {
    s.callCreated(false);
    s.stepSent(0);
    s.stepReceived(2);
  };
  const answer = (): void => {
    s.stepReceived(4);
    s.rtd('1', 0.4);
    s.stepSent(5);
    s.stepPaused(6);
    s.stepSent(7);
  };
  const end = (lengthMs: number): void => {
    s.stepReceived(8);
    s.callSucceeded(lengthMs);
  };
  // Call lengths chosen to give SIPp's means (6 ms), deviations (2 ms) and repartitions.
  const period1 = [8, 7, 3, 6, 8, 4, 6, 8, 10];
  const period2 = [7, 4, 9, 6, 6, 7, 4, 5, 4, 11];
  row(1795425831.265232, 1795425831.265545);
  clock.t = 10;
  for (const len of period1) {
    create();
    answer();
    end(len);
  }
  create();
  row(1795425832.26597, 1795425832.266076);
  clock.t = 1100;
  answer();
  end(period2[0]!);
  for (const len of period2.slice(1)) {
    create();
    answer();
    end(len);
  }
  create();
  answer();
  row(1795425833.273819, 1795425833.273935);
  end(8);
  s.warning(); // SIPp 3.6.1 warned "Failed to delete FD from epoll" at exit
  row(1795425833.275272, 1795425833.2753);
  clock.t = uacAt(1795425833.275272);
  s.resetPeriodic('display');
  clock.t = uacAt(1795425833.275441);
  csv += statCsvRow(s, { utc: true });
  return { s, clock, csv };
}

const UAC_INFO: ScreenInfo = {
  transport: 'UDP',
  localPort: 5073,
  remoteHost: '127.0.0.1',
  remotePort: 5072,
  rate: 10,
  ratePeriodMs: 1000,
  durationMs: 0,
  callLimit: 20,
  openCallsAllowed: 30,
  totalTimeMs: 2015,
  running: 0,
  paused: 21,
  wokenUp: 0,
  utc: true,
};

describe('-trace_stat CSV', () => {
  it('file name is <scenario>_<pid>_.csv; the screen log <scenario>_<pid>_screen.log', () => {
    expect(statCsvFileName('uac', 7001)).toBe('uac_7001_.csv');
    expect(screenLogFileName('uac', 7001)).toBe('uac_7001_screen.log');
  });

  it('header equals SIPp 3.6.1 for the built-in uac (RTD 1, repartitions 10..200 and 10..10000)', () => {
    expect(statCsvHeader(UAC_SCENARIO)).toBe(UAC_CSV_HEADER + '\n');
    const fields = UAC_CSV_HEADER.split(';');
    expect(fields[11]).toBe('OutgoingCall(C)'); // cut -d';' -f12
    expect(fields[17]).toBe('FailedCall(C)'); // cut -d';' -f18
    expect(fields.at(-1)).toBe('');
  });

  it('header with named RTDs, unsorted bounds and -stat_delimiter', () => {
    const layout = { rtdNames: ['inv', 'call'], responseTimeRepartition: [5, 20, 1], callLengthRepartition: [50, 200] };
    expect(statCsvHeader(layout, { delimiter: ',' })).toBe(RTDT_CSV_HEADER + '\n');
  });

  it('header without RTD timers nor repartition tables', () => {
    const layout = { rtdNames: [], responseTimeRepartition: [], callLengthRepartition: [] };
    expect(statCsvHeader(layout)).toBe(NORTD_CSV_HEADER + '\n');
  });

  it('rows reproduce the captured uac run byte for byte', () => {
    const { csv } = replayUac();
    expect(csv).toBe([UAC_CSV_HEADER, ...UAC_CSV_ROWS].map((l) => l + '\n').join(''));
  });

  it('every row ends with the delimiter; time columns are date<TAB>time.us<TAB>epoch.us', () => {
    const { s } = replayUac();
    const row = statCsvRow(s, { utc: true, delimiter: '|' });
    expect(row.endsWith('|\n')).toBe(true);
    const fields = row.slice(0, -1).split('|');
    expect(fields).toHaveLength(UAC_CSV_HEADER.split(';').length);
    for (const f of fields.slice(0, 3)) expect(f).toMatch(/^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}$/);
    expect(fields[3]).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(fields[5]).toBe('10');
  });

  it('TargetRate shows -users when set, else the rate with %g', () => {
    const clock = fakeClock(UAC_START);
    const s = new RunStats(UAC_SCENARIO, clock);
    s.setTargetRate(12.3456789);
    expect(statCsvRow(s, { utc: true }).split(';')[5]).toBe('12.3457');
    s.setUsers(250);
    expect(statCsvRow(s, { utc: true }).split(';')[5]).toBe('250');
  });
});

describe('screens', () => {
  it('closing screens (stdout at exit) match the uac capture', () => {
    const { s, clock } = replayUac();
    clock.t = uacAt(1795425833.275425);
    expect(renderClosingScreens(s, { ...UAC_INFO })).toBe(text(UAC_CLOSING));
  });

  it('-trace_screen log matches the uac capture (scenario, statistics, repartition)', () => {
    const { s, clock } = replayUac();
    clock.t = uacAt(1795425833.275339);
    const log = renderScreenLog(s, {
      ...UAC_INFO,
      wokenUp: 48,
      footer: 'quitting',
      lastError: 'Failed to delete FD from epoll, errno = 1 (Operation not permitted)',
    });
    expect(log).toBe(text(UAC_SCREEN_LOG));
  });

  describe('in Asia/Kolkata', () => {
    const saved = process.env.TZ;
    beforeEach(() => {
      process.env.TZ = 'Asia/Kolkata';
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    const START = 1795425981540.69;
    const at = (epochSeconds: number): number => Math.round(epochSeconds * 1e6 - START * 1e3) / 1000;
    function replayRtdt() {
      const clock = fakeClock(START);
      const s = new RunStats(
        {
          steps: [
            send('INVITE', { retrans: 500, startRtd: ['inv'] }),
            recv(100),
            recv(180),
            recv(200, { rtd: ['inv'], startRtd: ['call'] }),
            send('ACK'),
            { kind: 'pause', milliseconds: 30, pause: fixedPause(30), ...c, crlf: true } as StatsStep,
            send('BYE', { retrans: 500 }),
            recv(200, { rtd: ['call'], crlf: true }),
            { kind: 'nop', display: 'hello nop', ...c } as StatsStep,
          ],
          rtdNames: ['inv', 'call'],
          responseTimeRepartition: [5, 20, 1],
          callLengthRepartition: [50, 200],
        },
        clock,
      );
      for (let i = 0; i < 12; i++) {
        clock.t = 5 + i * 200;
        s.callCreated(false);
        s.stepSent(0);
        s.stepReceived(2);
        s.stepReceived(3);
        s.rtd('inv', 0.3);
        s.stepSent(4);
        s.stepPaused(5);
        s.stepSent(6);
        s.stepReceived(7);
        s.rtd('call', 34.2);
        s.callSucceeded(34.5);
      }
      clock.t = at(1795425983.984467);
      s.resetPeriodic();
      return { s, clock };
    }
    const info: ScreenInfo = {
      transport: 'UDP',
      localPort: 5083,
      remoteHost: '127.0.0.1',
      remotePort: 5082,
      rate: 5,
      callLimit: 12,
      openCallsAllowed: 15,
      totalTimeMs: 2445,
      paused: 15,
    };

    it('closing screens with named RTDs (B-RTD/E-RTD numbers), crlf and a nop display', () => {
      const { s, clock } = replayRtdt();
      clock.t = at(1795425983.984662);
      expect(renderClosingScreens(s, info)).toBe(text(RTDT_CLOSING));
    });

    it('-trace_screen log adds one repartition screen per further RTD', () => {
      const { s, clock } = replayRtdt();
      clock.t = at(1795425983.984574);
      const log = renderScreenLog(s, {
        ...info,
        wokenUp: 34,
        footer: 'quitting',
        lastError: 'Failed to delete FD from epoll, errno = 1 (Operation not permitted)',
      });
      expect(log).toBe(text(RTDT_SCREEN_LOG));
    });
  });

  it('server mode (the uas capture): arrows turned, no out-of-call count, timewait as a pause', () => {
    const START = 1795425981035.385;
    const at = (epochSeconds: number): number => Math.round(epochSeconds * 1e6 - START * 1e3) / 1000;
    const clock = fakeClock(START);
    const s = new RunStats(
      {
        steps: [
          recv('INVITE', { crlf: true }),
          send(180),
          send(200, { retrans: 500 }),
          recv('ACK', { rtd: ['1'], crlf: true }),
          recv('BYE'),
          send(200),
          { kind: 'timewait', milliseconds: 4000, pause: fixedPause(4000), ...c } as StatsStep,
        ],
        rtdNames: ['1'],
        responseTimeRepartition: [10, 20, 30, 40, 50, 100, 150, 200],
        callLengthRepartition: [10, 50, 100, 500, 1000, 5000, 10000],
        startsWithRecv: true,
      },
      clock,
    );
    clock.t = 2400;
    for (let i = 0; i < 12; i++) {
      s.callCreated(true);
      s.stepReceived(0);
      s.stepSent(1);
      s.stepSent(2);
      s.stepReceived(3);
      s.rtd('1', 0.5);
      s.stepReceived(4);
      s.stepSent(5);
      s.stepPaused(6);
    }
    clock.t = 6400;
    for (let i = 0; i < 12; i++) s.callSucceeded(4030);
    clock.t = at(1795425987.987351);
    s.resetPeriodic();
    clock.t = at(1795425987.987547);
    const out = renderClosingScreens(s, {
      transport: 'UDP',
      localPort: 5082,
      callLimit: 12,
      totalTimeMs: 6952,
      paused: 14,
      utc: true,
    });
    expect(out).toBe(text(UAS_CLOSING));
  });

  it('statistics screen: both columns of the time rows show the periodic value, as SIPp', () => {
    const { s, clock } = replayUac();
    clock.t = 3000;
    s.callCreated(false);
    s.rtd('1', 12);
    s.callSucceeded(40);
    const at = s.instant();
    const lines = renderStatsScreen(s, { utc: true }, at).split('\n');
    expect(lines.find((l) => l.startsWith('  Call Length'))).toBe(
      '  Call Length            | 00:00:00:040000           | 00:00:00:040000          ',
    );
    const honest = renderStatsScreen(s, { utc: true, trueCumulativeTimes: true }, at).split('\n');
    expect(honest.find((l) => l.startsWith('  Call Length'))).toBe(
      '  Call Length            | 00:00:00:040000           | 00:00:00:008000          ',
    );
    expect(honest.find((l) => l.startsWith('  Elapsed Time'))).toBe(
      '  Elapsed Time           | 00:00:00:988000           | 00:00:03:000000          ',
    );
    expect(lines.find((l) => l.startsWith('  Current Calls'))).toBe(
      '  Current Calls          |        0                  |                          ',
    );
  });

  it('scenario screen while running: new calls in the period, footer, lost column', () => {
    const { s, clock } = replayUac();
    clock.t = 2500;
    const out = renderScenarioScreen(s, {
      ...UAC_INFO,
      callLimit: undefined,
      msSinceLastReport: 1003,
      schedulingLoops: 100,
      losePackets: true,
      footer: 'running',
    }).split('\n');
    expect(out[4]).toBe('  0 new calls during 1.003 s period       10 ms scheduler resolution           ');
    expect(out[9]).toBe('  0 Total RTP pckts sent                  0.000 last period RTP rate (kB/s)');
    expect(out[11]).toBe('                                 Messages  Retrans   Timeout   Unexp.    Lost');
    expect(out.at(-2)).toBe('------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----');
    expect(out.at(-1)).toBe('');
  });

  it('footers follow SIPp state and mode', () => {
    expect(footerLine('running', 'server')).toBe('------------------------------ SIPp Server Mode -------------------------------');
    expect(footerLine('paused', 'client')).toBe('----------------- Traffic Paused - Press [p] again to resume ------------------');
    // (SIPp's own OUTBOUND CONGESTION and CPU CONGESTED lines are 80 wide.)
    for (const f of ['terminated', 'quitting', 'paused', 'running'] as const) {
      expect(footerLine(f, 'client')).toHaveLength(79);
    }
  });

  it('repartition screen without RTD or table says so', () => {
    const s = new RunStats({ steps: [], rtdNames: [], responseTimeRepartition: [], callLengthRepartition: [] }, fakeClock(0));
    const lines = renderRepartitionScreen(s, 1, { footer: 'terminated' }).split('\n');
    expect(lines[1]).toBe('    <No repartion defined>'.padEnd(79));
    const t = new RunStats({ steps: [], rtdNames: ['1'], responseTimeRepartition: [], callLengthRepartition: [] }, fakeClock(0));
    const tl = renderRepartitionScreen(t, 1, { footer: 'terminated' }).split('\n');
    expect(tl.slice(1, 5)).toEqual([
      '  Average Response Time Repartition 1'.padEnd(79),
      '    <No repartion defined>'.padEnd(79),
      '  Average Call Length Repartition'.padEnd(79),
      '    <No repartion defined>'.padEnd(79),
    ]);
  });
});
