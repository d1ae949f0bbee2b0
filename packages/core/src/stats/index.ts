export type { FailedCallDetail, FailureCause, StatsRecorder, TransportEventKind } from './types.js';
export {
  Accumulator,
  FAILURE_CAUSES,
  RawStat,
  Repartition,
  RunStats,
  Tally,
} from './run-stats.js';
export type {
  PeriodKind,
  RunStatsOptions,
  StatsClock,
  StatsInstant,
  StatsScenarioInfo,
  StatsStep,
  StepCounters,
} from './run-stats.js';
export {
  cFixed,
  cG,
  msToHHMMSS,
  msToHHMMSSus,
  sippCallRate,
  sippTime,
  sippTimeString,
} from './cformat.js';
export type { TimeFormatOptions } from './cformat.js';
export { statCsvFileName, statCsvHeader, statCsvRow } from './csv.js';
export type { StatCsvLayout, StatCsvOptions } from './csv.js';
export {
  footerLine,
  renderClosingScreens,
  renderRepartitionScreen,
  renderScenarioScreen,
  renderScreenLog,
  renderStatsScreen,
  screenLogFileName,
} from './screen.js';
export type { ScreenFooter, ScreenInfo } from './screen.js';
export { progressLine } from './progress.js';
export { mediaSummary, summaryJson, SUMMARY_SCHEMA } from './summary.js';
export type { MediaSummary, RepartitionRow, RtdSummary, RunSummary, StepSummary, SummaryMeta, TimingSummary } from './summary.js';
