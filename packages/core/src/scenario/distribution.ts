/**
 * SIPp's statistical distributions, for `<pause>` / `<timewait>` and the `<sample>` action,
 * as SIPp 3.6.1 reads, samples and shows them (scenario.cpp parse_distribution and the
 * `<pause>` branch of the scenario constructor, stat.cpp CSample and its subclasses,
 * call.cpp executeMessage). Pure: no I/O, the only randomness is the uniform source the
 * caller passes in.
 *
 * Every parameter is a plain C `strtod` number of milliseconds (or a plain number for shapes
 * and probabilities): SIPp takes no time units here (`milliseconds="1s"` is refused).
 */
import { cFixed } from '../stats/cformat.js';
import { ScenarioError } from './errors.js';
import { parseCBool, parseCDouble } from './sipp-values.js';
import type { SourcePlace } from './types.js';
import { gamma as gammaFn, gammaQuantile, normalQuantile } from './distribution/numeric.js';
import { poisson, standardGamma, standardNormal, type UniformSource } from './distribution/samplers.js';
import { SIPP_DISTRIBUTION_ATTRIBUTES } from './vocabulary.js';

export { seededRandom, type UniformSource } from './distribution/samplers.js';

/** C's INT_MAX: the longest pause SIPp waits (ms) and the sanity-check limit. */
export const SIPP_INT_MAX = 2147483647;

/** The distributions SIPp 3.6.1 knows (built with GSL, as Debian's sip-tester is). */
export type DistributionParams =
  /** `milliseconds="N"` or `distribution="fixed" value="N"` (CFixed). */
  | { kind: 'fixed'; value: number }
  /** `<pause/>` with no attribute: the `-d` duration (CDefaultPause). */
  | { kind: 'default' }
  /** `min`/`max` (CUniform): min + U·(max − min). */
  | { kind: 'uniform'; min: number; max: number }
  /** `mean`/`stdev` (CNormal). */
  | { kind: 'normal'; mean: number; stdev: number }
  /** `mean`/`stdev` of the underlying normal (CLogNormal, GSL's ζ and σ): exp(N(mean, stdev)). */
  | { kind: 'lognormal'; mean: number; stdev: number }
  /** `mean` (CExponential). */
  | { kind: 'exponential'; mean: number }
  /** `lambda` (scale) and `k` (shape) (CWeibull). */
  | { kind: 'weibull'; lambda: number; k: number }
  /** `k` (shape) and `x_m` (scale, the minimum) (CPareto). */
  | { kind: 'pareto'; k: number; xm: number }
  /** `shape`, `scale`, `location` (CGPareto): location + scale·(U^−shape − 1)/shape. */
  | { kind: 'gpareto'; shape: number; scale: number; location: number }
  /** `k` (shape) and `theta` (scale) (CGamma). */
  | { kind: 'gamma'; k: number; theta: number }
  /** `n` (successes) and `p` (success probability): failures before the n-th success (CNegBin). */
  | { kind: 'negbin'; n: number; p: number };

export type DistributionKind = DistributionParams['kind'];

/** A parsed distribution. Methods that depend on `-d` (kind `default`) take it as `durationMs` (SIPp's default is 0). */
export interface Distribution {
  readonly kind: DistributionKind;
  /** The parameters as read (plain data). */
  readonly params: DistributionParams;
  /**
   * One draw, unrounded: what SIPp's `CSample::sample()` returns. This is the value a
   * `<sample>` action stores in its variable (a double).
   */
  sample(random: UniformSource, durationMs?: number): number;
  /** One draw turned into whole milliseconds the way SIPp turns it into a pause ({@link sippPauseMs}). */
  pauseMs(random: UniformSource, durationMs?: number): number;
  /** SIPp's `cdfInv(p)`, used for its 99th-percentile sanity check (uniform keeps SIPp's `min + max·p`; negbin is 0). */
  quantile(p: number, durationMs?: number): number;
  /** SIPp's `timeDescr()`: the text of the scenario screen, e.g. `N(20ms,5ms)` (not yet cut to the screen's 22 characters). */
  describe(durationMs?: number): string;
  /** SIPp's `textDescr()`: the debug text of a `<sample>` action, e.g. `N(20.000,5.000)`. */
  text(durationMs?: number): string;
  /** Closed-form mean in ms (undefined when infinite or undefined, and for `default`). */
  readonly mean: number | undefined;
  /** Closed-form variance (undefined when infinite or undefined, and for `default`). */
  readonly variance: number | undefined;
}

/** How a `<pause>` or `<timewait>` waits. */
export type PauseSpec =
  /** `variable="v"`: the value of call variable `v`, in ms ({@link sippVariablePauseMs}). */
  | { kind: 'variable'; variable: string; ignoredAttributes: string[] }
  | {
      kind: 'distribution';
      distribution: Distribution;
      /** `sanity_check` (default true). */
      sanityCheck: boolean;
      /**
       * Distribution attributes present but not used, as SIPp silently ignores them
       * (`milliseconds` next to `distribution`, a second old-style selector, ...).
       */
      ignoredAttributes: string[];
    };

export interface ParseDistributionOptions {
  /**
   * SIPp's `oldstyle`: true for `<pause>`/`<timewait>` (the `normal=`, `exponential=`, ...,
   * `min`/`max` and `milliseconds` forms, and `<pause/>` = `-d`); false (the default) for the
   * `<sample>` action, which requires `distribution`.
   */
  oldStyle?: boolean;
}

type Attributes = ReadonlyMap<string, string>;

/** The attributes a `<pause>` may use to pick its wait (for the ignored-attribute report). */
const PAUSE_WAIT_ATTRIBUTES: readonly string[] = ['milliseconds', ...SIPP_DISTRIBUTION_ATTRIBUTES, 'sanity_check'];

/** Old-style selectors, in the order SIPp tests them. */
const OLD_STYLE_SELECTORS = ['normal', 'exponential', 'lognormal', 'weibull', 'pareto', 'gamma'] as const;

/**
 * SIPp's parse_distribution(): reads the distribution attributes of an element.
 * Throws {@link ScenarioError} (`file:line: ...`) with SIPp's words for a missing or
 * non-numeric parameter or an unknown name.
 */
export function parseDistribution(
  attrs: Attributes,
  place: SourcePlace,
  options: ParseDistributionOptions = {},
): Distribution {
  return readDistribution(attrs, place, options.oldStyle ?? false, new Set()).distribution;
}

/**
 * The `<pause>` / `<timewait>` branch of SIPp's scenario constructor: `variable` wins over
 * everything; otherwise an old-style parse_distribution, then `sanity_check` and SIPp's check
 * that the 99th percentile fits in an int.
 */
export function parsePause(attrs: Attributes, place: SourcePlace, element = 'pause'): PauseSpec {
  const variable = attrs.get('variable');
  if (variable !== undefined) {
    if (variable === '') fail(place, `Transaction names may not be empty for ${element}`);
    return { kind: 'variable', variable, ignoredAttributes: PAUSE_WAIT_ATTRIBUTES.filter((a) => attrs.has(a)) };
  }
  const used = new Set<string>();
  const { distribution } = readDistribution(attrs, place, true, used);

  let sanityCheck = true;
  const sanity = attrs.get('sanity_check');
  if (sanity !== undefined) {
    used.add('sanity_check');
    const b = parseCBool(sanity);
    // SIPp's xp_get_bool(name, what): `what 'name' parameter`.
    if (b === undefined) fail(place, `pause 'sanity_check' parameter, "${sanity}" is not a valid boolean!`);
    sanityCheck = b;
  }

  if (distribution.kind !== 'default') {
    const p99 = distribution.quantile(0.99);
    if (sanityCheck && p99 > SIPP_INT_MAX) {
      fail(
        place,
        `The distribution ${distribution.describe()} has a 99th percentile of ${formatSippTime(p99)}, ` +
          'which is larger than INT_MAX.  You should chose different parameters.',
      );
    }
  }
  return {
    kind: 'distribution',
    distribution,
    sanityCheck,
    ignoredAttributes: PAUSE_WAIT_ATTRIBUTES.filter((a) => attrs.has(a) && !used.has(a)),
  };
}

/**
 * The text of a pause on SIPp's scenario screen, before SIPp pads it into `Pause [%9s]`:
 * the distribution's description (or `$variable`) cut to 22 characters, as SIPp's 23-byte
 * snprintf does. `durationMs` is `-d`, for `<pause/>`.
 */
export function pauseScreenText(pause: PauseSpec, durationMs = 0): string {
  const text = pause.kind === 'variable' ? `$${pause.variable}` : pause.distribution.describe(durationMs);
  return text.slice(0, 22);
}

/**
 * A sampled pause as SIPp 3.6.1 waits it (call.cpp executeMessage): below 1 ms (and NaN)
 * is 0; otherwise truncated to whole ms (the low 32 bits of a 64-bit truncation, as the
 * compiled code does) and capped at INT_MAX.
 */
export function sippPauseMs(sample: number): number {
  if (1 > sample) return 0;
  const u = cUint32(sample);
  return u > SIPP_INT_MAX ? SIPP_INT_MAX : u;
}

/**
 * A `<pause variable="v">` as SIPp 3.6.1 waits it: `(int)` of the variable's double value,
 * then compared as unsigned with INT_MAX, so a negative value (or one out of int range)
 * waits INT_MAX ms, and a fraction is truncated (0.9 → 0).
 */
export function sippVariablePauseMs(value: number): number {
  const i = cInt(value);
  return i < 0 ? SIPP_INT_MAX : i;
}

/**
 * SIPp's time_string(): `7ms`, `15.50ms`, `1500.9ms`, `12.3s`, `2:05`, `833:20:00`, with
 * C's integer conversions for huge, infinite and NaN values (which print `0:00:00`).
 */
export function formatSippTime(ms: number): string {
  if (ms < 10000) {
    if (cInt(ms + 0.9999) === cInt(ms)) return `${cInt(ms)}ms`;
    return ms < 1000 ? `${cFixed(ms, 2)}ms` : `${cFixed(ms, 1)}ms`;
  }
  if (ms < 60000) return `${cFixed(ms / 1000, 1)}s`;
  const total = cUint32(ms / 1000) | 0; // int s = (unsigned int)(ms / 1000)
  if (ms < 60 * 60000) return `${Math.trunc(total / 60)}:${d02(total % 60)}`;
  const m = Math.trunc(total / 60);
  return `${Math.trunc(m / 60)}:${d02(m % 60)}:${d02(total % 60)}`;
}

// ---------------------------------------------------------------------------------------

function fail(place: SourcePlace, detail: string): never {
  throw new ScenarioError(place, detail);
}

/** `%02d` */
function d02(n: number): string {
  return String(n).padStart(2, '0');
}

/** C `(int)x` on x86-64 (cvttsd2si): out of range and NaN give INT_MIN. */
function cInt(x: number): number {
  const t = Math.trunc(x);
  if (Number.isNaN(t) || t > SIPP_INT_MAX || t < -2147483648) return -2147483648;
  return t === 0 ? 0 : t; // no -0
}

/** C `(unsigned int)x` as gcc compiles it on x86-64: a 64-bit truncation, low 32 bits kept. */
function cUint32(x: number): number {
  const t = Math.trunc(x);
  if (t >= 0 && t < 2 ** 32) return t === 0 ? 0 : t; // the common case, without BigInt
  if (Number.isNaN(t) || Math.abs(t) >= 2 ** 63) return 0;
  return Number(BigInt.asUintN(32, BigInt(t)));
}

interface Reader {
  double(name: string, what: string): number;
}

function reader(attrs: Attributes, place: SourcePlace, used: Set<string>): Reader {
  return {
    // SIPp's xp_get_double(name, what)
    double(name, what) {
      const text = attrs.get(name);
      if (text === undefined) fail(place, `${what} is missing the required '${name}' parameter.`);
      used.add(name);
      const value = parseCDouble(text);
      if (value === undefined) fail(place, `${what} '${name}' parameter, "${text}" is not a floating point number!`);
      return value;
    },
  };
}

function readDistribution(
  attrs: Attributes,
  place: SourcePlace,
  oldStyle: boolean,
  used: Set<string>,
): { distribution: Distribution } {
  const r = reader(attrs, place, used);
  let name = attrs.get('distribution');
  if (name !== undefined) {
    used.add('distribution');
  } else {
    if (!oldStyle) fail(place, "statistically distributed actions or pauses requires 'distribution' parameter");
    const selector = OLD_STYLE_SELECTORS.find((s) => attrs.has(s));
    if (selector !== undefined) {
      used.add(selector);
      name = selector;
    } else if (attrs.has('min') || attrs.has('max')) {
      name = 'uniform';
    } else if (attrs.has('milliseconds')) {
      const text = attrs.get('milliseconds')!;
      used.add('milliseconds');
      const value = parseCDouble(text);
      if (value === undefined) fail(place, `Pause milliseconds, "${text}" is not a floating point number!`);
      return { distribution: makeDistribution({ kind: 'fixed', value }) };
    } else {
      return { distribution: makeDistribution({ kind: 'default' }) };
    }
  }

  let params: DistributionParams;
  switch (name) {
    case 'fixed':
      params = { kind: 'fixed', value: r.double('value', 'Fixed distribution') };
      break;
    case 'uniform': {
      const min = r.double('min', 'Uniform distribution');
      params = { kind: 'uniform', min, max: r.double('max', 'Uniform distribution') };
      break;
    }
    case 'normal': {
      const mean = r.double('mean', 'Normal distribution');
      params = { kind: 'normal', mean, stdev: r.double('stdev', 'Normal distribution') };
      break;
    }
    case 'lognormal': {
      const mean = r.double('mean', 'Lognormal distribution');
      params = { kind: 'lognormal', mean, stdev: r.double('stdev', 'Lognormal distribution') };
      break;
    }
    case 'exponential':
      params = { kind: 'exponential', mean: r.double('mean', 'Exponential distribution') };
      break;
    case 'weibull': {
      const lambda = r.double('lambda', 'Weibull distribution');
      params = { kind: 'weibull', lambda, k: r.double('k', 'Weibull distribution') };
      break;
    }
    case 'pareto': {
      const k = r.double('k', 'Pareto distribution');
      params = { kind: 'pareto', k, xm: r.double('x_m', 'Pareto distribution') };
      break;
    }
    case 'gpareto': {
      const what = 'Generalized Pareto distribution';
      const shape = r.double('shape', what);
      const scale = r.double('scale', what);
      params = { kind: 'gpareto', shape, scale, location: r.double('location', what) };
      break;
    }
    case 'gamma': {
      const k = r.double('k', 'Gamma distribution');
      const theta = r.double('theta', 'Gamma distribution');
      // SIPp 3.6.1 aborts here ("gsl: gamma.c: ERROR: domain error ... Default GSL error
      // handler invoked.") when it computes the 99th percentile: refuse it cleanly instead.
      if (!(k > 0)) fail(place, `Gamma distribution 'k' parameter, "${attrs.get('k')}" must be greater than 0!`);
      params = { kind: 'gamma', k, theta };
      break;
    }
    case 'negbin': {
      const n = r.double('n', 'Negative Binomial distribution');
      params = { kind: 'negbin', n, p: r.double('p', 'Negative Binomial distribution') };
      break;
    }
    default:
      // SIPp prints the old-style selector's value here, which is NULL for distribution="...":
      // "Unknown distribution: (null)". We name the distribution instead.
      fail(place, `Unknown distribution: ${name}`);
  }
  return { distribution: makeDistribution(params) };
}

/** Builds a {@link Distribution} from its parameters (for callers that do not parse XML). */
export function makeDistribution(params: DistributionParams): Distribution {
  const sample = samplerOf(params);
  const { mean, variance } = momentsOf(params);
  return {
    kind: params.kind,
    params,
    sample,
    pauseMs: (random, durationMs) => sippPauseMs(sample(random, durationMs)),
    quantile: (p, durationMs) => quantileOf(params, p, durationMs ?? 0),
    describe: (durationMs) => timeDescr(params, durationMs ?? 0),
    text: (durationMs) => textDescr(params, durationMs ?? 0),
    mean,
    variance,
  };
}

function samplerOf(d: DistributionParams): (random: UniformSource, durationMs?: number) => number {
  switch (d.kind) {
    case 'fixed':
      return () => d.value;
    case 'default':
      return (_random, durationMs) => durationMs ?? 0;
    case 'uniform':
      return (random) => d.min + random() * (d.max - d.min);
    case 'normal':
      return (random) => standardNormal(random) * d.stdev + d.mean;
    case 'lognormal':
      return (random) => Math.exp(d.stdev * standardNormal(random) + d.mean);
    case 'exponential':
      return (random) => -d.mean * Math.log1p(-random());
    case 'weibull':
      return (random) => d.lambda * Math.pow(-Math.log1p(-random()), 1 / d.k);
    case 'pareto':
      return (random) => d.xm * Math.pow(1 - random(), -1 / d.k);
    case 'gpareto':
      // SIPp: cdfInv(gsl_ran_flat(0, 1)); 1 − U has the same law and is never 0.
      return (random) => gparetoInv(d, 1 - random());
    case 'gamma':
      return (random) => standardGamma(random, d.k) * d.theta;
    case 'negbin':
      // GSL: Poisson(Gamma(n, 1)·(1 − p)/p)
      return (random) => poisson(random, (standardGamma(random, d.n) * (1 - d.p)) / d.p);
  }
}

function gparetoInv(d: { shape: number; scale: number; location: number }, p: number): number {
  return d.location + (d.scale * (Math.pow(p, -d.shape) - 1)) / d.shape;
}

function quantileOf(d: DistributionParams, p: number, durationMs: number): number {
  switch (d.kind) {
    case 'fixed':
      return d.value;
    case 'default':
      return durationMs;
    case 'uniform':
      return d.min + d.max * p; // sic, SIPp's CUniform::cdfInv
    case 'normal':
      return d.mean + d.stdev * normalQuantile(p);
    case 'lognormal':
      return Math.exp(d.mean + d.stdev * normalQuantile(p));
    case 'exponential':
      return -d.mean * Math.log1p(-p);
    case 'weibull':
      return d.lambda * Math.pow(-Math.log1p(-p), 1 / d.k);
    case 'pareto':
      return d.xm * Math.exp(-Math.log1p(-p) / d.k);
    case 'gpareto':
      return gparetoInv(d, p);
    case 'gamma':
      return d.theta * gammaQuantile(p, d.k);
    case 'negbin':
      return 0; // SIPp: "We really don't implement this"
  }
}

function momentsOf(d: DistributionParams): { mean: number | undefined; variance: number | undefined } {
  const finite = (x: number): number | undefined => (Number.isFinite(x) ? x : undefined);
  switch (d.kind) {
    case 'fixed':
      return { mean: d.value, variance: 0 };
    case 'default':
      return { mean: undefined, variance: undefined };
    case 'uniform':
      return { mean: (d.min + d.max) / 2, variance: (d.max - d.min) ** 2 / 12 };
    case 'normal':
      return { mean: d.mean, variance: d.stdev ** 2 };
    case 'lognormal': {
      const s2 = d.stdev ** 2;
      return { mean: finite(Math.exp(d.mean + s2 / 2)), variance: finite((Math.exp(s2) - 1) * Math.exp(2 * d.mean + s2)) };
    }
    case 'exponential':
      return { mean: d.mean, variance: d.mean ** 2 };
    case 'weibull': {
      const g1 = gammaFn(1 + 1 / d.k);
      const g2 = gammaFn(1 + 2 / d.k);
      return { mean: finite(d.lambda * g1), variance: finite(d.lambda ** 2 * (g2 - g1 * g1)) };
    }
    case 'pareto':
      return {
        mean: d.k > 1 ? (d.k * d.xm) / (d.k - 1) : undefined,
        variance: d.k > 2 ? (d.xm ** 2 * d.k) / ((d.k - 1) ** 2 * (d.k - 2)) : undefined,
      };
    case 'gpareto':
      return {
        mean: d.shape < 1 && d.shape !== 0 ? d.location + d.scale / (1 - d.shape) : undefined,
        variance: d.shape < 0.5 && d.shape !== 0 ? d.scale ** 2 / ((1 - d.shape) ** 2 * (1 - 2 * d.shape)) : undefined,
      };
    case 'gamma':
      return { mean: d.k * d.theta, variance: d.k * d.theta ** 2 };
    case 'negbin':
      return { mean: (d.n * (1 - d.p)) / d.p, variance: (d.n * (1 - d.p)) / d.p ** 2 };
  }
}

/** SIPp's timeDescr() of each CSample subclass. */
function timeDescr(d: DistributionParams, durationMs: number): string {
  const t = formatSippTime;
  switch (d.kind) {
    case 'fixed':
      return t(d.value);
    case 'default':
      return t(durationMs);
    case 'uniform':
      return `${t(d.min)}/${t(d.max)}`;
    case 'normal':
      return `N(${t(d.mean)},${t(d.stdev)})`;
    case 'lognormal':
      return `LN(${t(d.mean)},${t(d.stdev)})`;
    case 'exponential':
      return `Exp(${t(d.mean)})`;
    case 'weibull':
      return `Wb(${t(d.lambda)},${t(d.k)})`;
    case 'pareto':
      return `P(${t(d.k)},${t(d.xm)})`;
    case 'gpareto':
      return `P(${t(d.shape)},${t(d.scale)},${t(d.location)})`;
    case 'gamma':
      return `G(${t(d.k)},${t(d.theta)})`;
    case 'negbin':
      // SIPp's parse_distribution passes (n, p) to CNegBin(p, n): its text shows n first.
      return `NB(${t(d.n)},${t(d.p)})`;
  }
}

/** SIPp's textDescr() of each CSample subclass (`%lf` and `%.3lf`). */
function textDescr(d: DistributionParams, durationMs: number): string {
  const f6 = (x: number): string => cFixed(x, 6);
  const f3 = (x: number): string => cFixed(x, 3);
  switch (d.kind) {
    case 'fixed':
      return f6(d.value);
    case 'default':
      return String(cInt(durationMs));
    case 'uniform':
      return `${f6(d.min)}/${f6(d.max)}`;
    case 'normal':
      return `N(${f3(d.mean)},${f3(d.stdev)})`;
    case 'lognormal':
      return `LN(${f3(d.mean)},${f3(d.stdev)})`;
    case 'exponential':
      return `Exp(${f6(d.mean)})`;
    case 'weibull':
      return `Wb(${f3(d.lambda)},${f3(d.k)})`;
    case 'pareto':
      return `P(${f3(d.k)},${f3(d.xm)})`;
    case 'gpareto':
      return `P(${f3(d.shape)},${f3(d.scale)},${f3(d.location)})`;
    case 'gamma':
      return `G(${f3(d.k)},${f3(d.theta)})`;
    case 'negbin':
      return `NB(${f3(d.n)},${f3(d.p)})`;
  }
}
