/** SIPp's exit codes; scripts test them. */
export const ExitCode = {
  /** Every call succeeded. */
  Ok: 0,
  /** At least one call failed; also any error before the scenario is loaded. */
  Failed: 1,
  /** A -timeout (or SIPp's stop_now) ended the run before any call completed. */
  NoCallCompleted: 97,
  /** -h, -v, -sd. */
  Other: 99,
  /** The local port is in use (SIPp's bind error). */
  BindError: 254,
  /** A fatal error after the scenario was loaded (also -timeout_error). */
  Fatal: 255,
} as const;
