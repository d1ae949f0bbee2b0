import { describe, expect, it } from 'vitest';
import {
  formatSippTime,
  makeDistribution,
  parseDistribution,
  parsePause,
  pauseScreenText,
  seededRandom,
  sippPauseMs,
  sippVariablePauseMs,
  SIPP_INT_MAX,
  type Distribution,
  type DistributionParams,
  type PauseSpec,
} from '../../src/scenario/distribution.js';
import { gammaP, gammaQuantile, logGamma, normalCdf, normalQuantile } from '../../src/scenario/distribution/numeric.js';
import { ScenarioError } from '../../src/scenario/errors.js';

const PLACE = { file: 'pause.xml', line: 12 };

function attrs(a: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(a));
}

function pause(a: Record<string, string>): PauseSpec {
  return parsePause(attrs(a), PLACE);
}

function dist(a: Record<string, string>): Distribution {
  const p = pause(a);
  if (p.kind !== 'distribution') throw new Error('expected a distribution');
  return p.distribution;
}

function pauseError(a: Record<string, string>, element = 'pause'): string {
  try {
    parsePause(attrs(a), PLACE, element);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

function sampleError(a: Record<string, string>): string {
  try {
    parseDistribution(attrs(a), PLACE);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('parsePause: the forms SIPp 3.6.1 accepts', () => {
  it.each<[Record<string, string>, DistributionParams]>([
    [{ milliseconds: '1000' }, { kind: 'fixed', value: 1000 }],
    [{ milliseconds: '1500.9' }, { kind: 'fixed', value: 1500.9 }],
    [{ milliseconds: '0x10' }, { kind: 'fixed', value: 16 }],
    [{ milliseconds: '' }, { kind: 'fixed', value: 0 }],
    [{ milliseconds: '-5' }, { kind: 'fixed', value: -5 }],
    [{}, { kind: 'default' }],
    [{ distribution: 'fixed', value: '15.5' }, { kind: 'fixed', value: 15.5 }],
    [{ min: '10', max: '20' }, { kind: 'uniform', min: 10, max: 20 }],
    [{ distribution: 'uniform', min: '1.5', max: '2' }, { kind: 'uniform', min: 1.5, max: 2 }],
    [{ distribution: 'normal', mean: '20', stdev: '5' }, { kind: 'normal', mean: 20, stdev: 5 }],
    [{ distribution: 'lognormal', mean: '2', stdev: '0.5' }, { kind: 'lognormal', mean: 2, stdev: 0.5 }],
    [{ distribution: 'exponential', mean: '10' }, { kind: 'exponential', mean: 10 }],
    [{ distribution: 'weibull', lambda: '10', k: '2' }, { kind: 'weibull', lambda: 10, k: 2 }],
    [{ distribution: 'pareto', k: '3', x_m: '5' }, { kind: 'pareto', k: 3, xm: 5 }],
    [
      { distribution: 'gpareto', shape: '0.25', scale: '5', location: '1' },
      { kind: 'gpareto', shape: 0.25, scale: 5, location: 1 },
    ],
    [{ distribution: 'gamma', k: '2', theta: '5' }, { kind: 'gamma', k: 2, theta: 5 }],
    [{ distribution: 'negbin', n: '3', p: '0.5' }, { kind: 'negbin', n: 3, p: 0.5 }],
    // old style: the presence of the attribute picks the distribution, its value is not read
    [{ normal: 'zzz', mean: '1', stdev: '2' }, { kind: 'normal', mean: 1, stdev: 2 }],
    [{ exponential: '1', mean: '3' }, { kind: 'exponential', mean: 3 }],
    [{ lognormal: '', mean: '1', stdev: '2' }, { kind: 'lognormal', mean: 1, stdev: 2 }],
    [{ weibull: 'x', lambda: '1', k: '2' }, { kind: 'weibull', lambda: 1, k: 2 }],
    [{ pareto: 'x', k: '1', x_m: '2' }, { kind: 'pareto', k: 1, xm: 2 }],
    [{ gamma: 'x', k: '1', theta: '2' }, { kind: 'gamma', k: 1, theta: 2 }],
    // SIPp's order of precedence: normal before exponential; min/max before milliseconds;
    // distribution before all
    [{ normal: '1', exponential: '1', mean: '1', stdev: '1' }, { kind: 'normal', mean: 1, stdev: 1 }],
    [{ milliseconds: '2000', min: '1', max: '2' }, { kind: 'uniform', min: 1, max: 2 }],
    [{ milliseconds: '10', distribution: 'fixed', value: '2000' }, { kind: 'fixed', value: 2000 }],
    // negbin and gpareto have no old-style selector: SIPp falls through to -d
    [{ negbin: '1', n: '3', p: '0.5' }, { kind: 'default' }],
  ])('%j', (a, params) => {
    expect(dist(a).params).toEqual(params);
  });

  it('variable wins over everything, and sanity_check is not read then', () => {
    expect(pause({ variable: 'v', milliseconds: '5', sanity_check: 'maybe' })).toEqual({
      kind: 'variable',
      variable: 'v',
      ignoredAttributes: ['milliseconds', 'sanity_check'],
    });
  });

  it('reports the attributes SIPp silently ignores', () => {
    const p = pause({ milliseconds: '10', distribution: 'fixed', value: '2000', mean: '3' });
    expect(p.kind === 'distribution' && p.ignoredAttributes).toEqual(['milliseconds', 'mean']);
    const q = pause({ normal: '1', exponential: '1', mean: '1', stdev: '1' });
    expect(q.kind === 'distribution' && q.ignoredAttributes).toEqual(['exponential']);
    const r = pause({ min: '1', max: '2', sanity_check: 'false' });
    expect(r.kind === 'distribution' && r.ignoredAttributes).toEqual([]);
  });

  it('sanity_check reads a SIPp boolean', () => {
    const values: Array<[string, boolean]> = [
      ['true', true],
      ['FALSE', false],
      ['0', false],
      ['1', true],
      ['', false],
    ];
    for (const [text, value] of values) {
      const p = pause({ milliseconds: '5', sanity_check: text });
      expect(p.kind === 'distribution' && p.sanityCheck).toBe(value);
    }
  });

  it('sanity_check="false" lets a 99th percentile past INT_MAX load', () => {
    expect(dist({ milliseconds: '3e9', sanity_check: 'false' }).params).toEqual({ kind: 'fixed', value: 3e9 });
  });
});

describe('parseDistribution for <sample>', () => {
  it('requires distribution=', () => {
    expect(sampleError({ mean: '1' })).toBe(
      "pause.xml:12: statistically distributed actions or pauses requires 'distribution' parameter",
    );
    expect(sampleError({ milliseconds: '1' })).toBe(
      "pause.xml:12: statistically distributed actions or pauses requires 'distribution' parameter",
    );
  });

  it('reads the same distributions as a pause', () => {
    expect(parseDistribution(attrs({ distribution: 'normal', mean: '5', stdev: '1' }), PLACE).params).toEqual({
      kind: 'normal',
      mean: 5,
      stdev: 1,
    });
    expect(parseDistribution(attrs({ distribution: 'negbin', n: '2', p: '0.25' }), PLACE).params).toEqual({
      kind: 'negbin',
      n: 2,
      p: 0.25,
    });
  });

  it('old-style forms are a pause thing', () => {
    expect(parseDistribution(attrs({}), PLACE, { oldStyle: true }).kind).toBe('default');
  });
});

describe('errors, with SIPp 3.6.1 words and our file:line', () => {
  it.each<[Record<string, string>, string]>([
    [{ distribution: 'foo' }, 'Unknown distribution: foo'],
    [{ distribution: 'Normal', mean: '1', stdev: '1' }, 'Unknown distribution: Normal'],
    [{ distribution: 'normal', mean: '3' }, "Normal distribution is missing the required 'stdev' parameter."],
    [{ distribution: 'normal', stdev: '3' }, "Normal distribution is missing the required 'mean' parameter."],
    [
      { distribution: 'normal', mean: '3', stdev: 'x' },
      'Normal distribution \'stdev\' parameter, "x" is not a floating point number!',
    ],
    [{ normal: '1', mean: '3' }, "Normal distribution is missing the required 'stdev' parameter."],
    [{ distribution: 'fixed' }, "Fixed distribution is missing the required 'value' parameter."],
    [{ distribution: 'fixed', value: '1s' }, 'Fixed distribution \'value\' parameter, "1s" is not a floating point number!'],
    [{ min: '3' }, "Uniform distribution is missing the required 'max' parameter."],
    [{ max: '5' }, "Uniform distribution is missing the required 'min' parameter."],
    [{ lognormal: '1', stdev: '1' }, "Lognormal distribution is missing the required 'mean' parameter."],
    [{ distribution: 'exponential' }, "Exponential distribution is missing the required 'mean' parameter."],
    [{ distribution: 'weibull', lambda: '1' }, "Weibull distribution is missing the required 'k' parameter."],
    [{ distribution: 'pareto', k: '1' }, "Pareto distribution is missing the required 'x_m' parameter."],
    [
      { distribution: 'gpareto', shape: '1' },
      "Generalized Pareto distribution is missing the required 'scale' parameter.",
    ],
    [
      { distribution: 'gpareto', shape: '1', scale: '1' },
      "Generalized Pareto distribution is missing the required 'location' parameter.",
    ],
    [{ distribution: 'gamma', k: '1' }, "Gamma distribution is missing the required 'theta' parameter."],
    [{ distribution: 'negbin', p: '0.5' }, "Negative Binomial distribution is missing the required 'n' parameter."],
    [{ distribution: 'negbin', n: '0.5' }, "Negative Binomial distribution is missing the required 'p' parameter."],
    [{ milliseconds: '1s' }, 'Pause milliseconds, "1s" is not a floating point number!'],
    [{ milliseconds: '5', sanity_check: 'maybe' }, 'pause \'sanity_check\' parameter, "maybe" is not a valid boolean!'],
    [
      { distribution: 'exponential', mean: '1e9' },
      'The distribution Exp(277:46:40) has a 99th percentile of 1279:12:50, which is larger than INT_MAX.  You should chose different parameters.',
    ],
    [
      { milliseconds: '3e9' },
      'The distribution 833:20:00 has a 99th percentile of 833:20:00, which is larger than INT_MAX.  You should chose different parameters.',
    ],
    [
      { min: '0', max: '3e9' },
      'The distribution 0ms/833:20:00 has a 99th percentile of 825:00:00, which is larger than INT_MAX.  You should chose different parameters.',
    ],
    [
      { distribution: 'weibull', lambda: '1', k: '0' },
      'The distribution Wb(1ms,0ms) has a 99th percentile of 0:00:00, which is larger than INT_MAX.  You should chose different parameters.',
    ],
    [
      { distribution: 'pareto', k: '0', x_m: '1' },
      'The distribution P(0ms,1ms) has a 99th percentile of 0:00:00, which is larger than INT_MAX.  You should chose different parameters.',
    ],
    [
      { distribution: 'lognormal', mean: '50', stdev: '1' },
      'The distribution LN(50ms,1ms) has a 99th percentile of 0:00:00, which is larger than INT_MAX.  You should chose different parameters.',
    ],
    [
      { distribution: 'fixed', value: 'inf' },
      'The distribution 0:00:00 has a 99th percentile of 0:00:00, which is larger than INT_MAX.  You should chose different parameters.',
    ],
    [{ distribution: 'gamma', k: '0', theta: '1' }, 'Gamma distribution \'k\' parameter, "0" must be greater than 0!'],
    [{ distribution: 'gamma', k: '-1', theta: '1' }, 'Gamma distribution \'k\' parameter, "-1" must be greater than 0!'],
    [{ variable: '' }, 'Transaction names may not be empty for pause'],
  ])('%j', (a, message) => {
    expect(pauseError(a)).toBe(`pause.xml:12: ${message}`);
  });

  it('timewait reads the same way', () => {
    expect(pauseError({ distribution: 'normal', mean: '1' }, 'timewait')).toBe(
      "pause.xml:12: Normal distribution is missing the required 'stdev' parameter.",
    );
    expect(pauseError({ variable: '' }, 'timewait')).toBe('pause.xml:12: Transaction names may not be empty for timewait');
  });

  it('the 99th percentile just under INT_MAX loads, just over does not', () => {
    // Exponential: p99 = mean · ln(100)
    const limit = SIPP_INT_MAX / Math.log(100);
    expect(dist({ distribution: 'exponential', mean: String(limit * 0.999999) }).kind).toBe('exponential');
    expect(() => pause({ distribution: 'exponential', mean: String(limit * 1.000001) })).toThrow(/INT_MAX/);
    // Normal: p99 = mean + 2.3263478740408408 · stdev
    const z = 2.3263478740408408;
    expect(dist({ distribution: 'normal', mean: String(SIPP_INT_MAX - z * 1000 - 1), stdev: '1000' }).kind).toBe('normal');
    expect(() => pause({ distribution: 'normal', mean: String(SIPP_INT_MAX - z * 1000 + 1), stdev: '1000' })).toThrow(
      /INT_MAX/,
    );
  });
});

describe('describe(): SIPp timeDescr, the scenario screen text (checked against SIPp 3.6.1)', () => {
  it.each<[Record<string, string>, string]>([
    [{ milliseconds: '7' }, '7ms'],
    [{ milliseconds: '1000' }, '1000ms'],
    [{ milliseconds: '1500.9' }, '1500.9ms'],
    [{ milliseconds: '-5' }, '-5.00ms'],
    [{ milliseconds: '' }, '0ms'],
    [{ milliseconds: 'nan' }, '0:00:00'],
    [{ distribution: 'fixed', value: '15.5' }, '15.50ms'],
    [{ distribution: 'fixed', value: '12345' }, '12.3s'],
    [{ distribution: 'fixed', value: '125000' }, '2:05'],
    [{ min: '10', max: '20' }, '10ms/20ms'],
    [{ distribution: 'uniform', min: '1.5', max: '2' }, '1.50ms/2ms'],
    [{ distribution: 'normal', mean: '20', stdev: '5' }, 'N(20ms,5ms)'],
    [{ distribution: 'normal', mean: '-5000', stdev: '0.001' }, 'N(-5000.00ms,0.00ms)'],
    [{ distribution: 'lognormal', mean: '2', stdev: '0.5' }, 'LN(2ms,0.50ms)'],
    [{ distribution: 'exponential', mean: '10' }, 'Exp(10ms)'],
    [{ exponential: 'yes', mean: '3' }, 'Exp(3ms)'],
    [{ distribution: 'weibull', lambda: '10', k: '2' }, 'Wb(10ms,2ms)'],
    [{ distribution: 'pareto', k: '3', x_m: '5' }, 'P(3ms,5ms)'],
    [{ distribution: 'gpareto', shape: '0.25', scale: '5', location: '1' }, 'P(0.25ms,5ms,1ms)'],
    [{ distribution: 'gamma', k: '2', theta: '5' }, 'G(2ms,5ms)'],
    [{ distribution: 'negbin', n: '3', p: '0.5' }, 'NB(3ms,0.50ms)'],
    [{ distribution: 'negbin', n: '3', p: '1.5' }, 'NB(3ms,1.50ms)'],
  ])('%j', (a, text) => {
    expect(dist(a).describe()).toBe(text);
  });

  it('<pause/> shows -d', () => {
    expect(dist({}).describe(10)).toBe('10ms');
    expect(dist({}).describe()).toBe('0ms');
    expect(pauseScreenText(pause({}), 1000)).toBe('1000ms');
  });

  it('the screen cuts the text to 22 characters and shows a variable as $name', () => {
    const p = pause({ normal: '1', mean: '-1234.56', stdev: '-2345.67' });
    expect(p.kind === 'distribution' && p.distribution.describe()).toBe('N(-1234.56ms,-2345.67ms)');
    expect(pauseScreenText(p)).toBe('N(-1234.56ms,-2345.67m');
    expect(pauseScreenText(pause({ variable: 'v' }))).toBe('$v');
    expect(pauseScreenText(pause({ variable: 'a_very_long_variable_name' }))).toBe('$a_very_long_variable_');
  });
});

describe('text(): SIPp textDescr (debug text of a <sample> action)', () => {
  it.each<[DistributionParams, string]>([
    [{ kind: 'fixed', value: 15.5 }, '15.500000'],
    [{ kind: 'uniform', min: 1, max: 2.5 }, '1.000000/2.500000'],
    [{ kind: 'normal', mean: 20, stdev: 5 }, 'N(20.000,5.000)'],
    [{ kind: 'lognormal', mean: 2, stdev: 0.5 }, 'LN(2.000,0.500)'],
    [{ kind: 'exponential', mean: 10 }, 'Exp(10.000000)'],
    [{ kind: 'weibull', lambda: 10, k: 2 }, 'Wb(10.000,2.000)'],
    [{ kind: 'pareto', k: 3, xm: 5 }, 'P(3.000,5.000)'],
    [{ kind: 'gpareto', shape: 0.25, scale: 5, location: 1 }, 'P(0.250,5.000,1.000)'],
    [{ kind: 'gamma', k: 2, theta: 5 }, 'G(2.000,5.000)'],
    [{ kind: 'negbin', n: 3, p: 0.5 }, 'NB(3.000,0.500)'],
  ])('%j', (params, text) => {
    expect(makeDistribution(params).text()).toBe(text);
  });

  it('default is -d as %d', () => {
    expect(makeDistribution({ kind: 'default' }).text(250)).toBe('250');
  });
});

describe('formatSippTime (SIPp time_string)', () => {
  it.each<[number, string]>([
    [0, '0ms'],
    [7, '7ms'],
    [7.00001, '7ms'],
    [0.5, '0.50ms'],
    [0.125, '0.12ms'], // glibc rounds exact ties to even
    [999.999, '1000.00ms'],
    [1500.9, '1500.9ms'],
    [9999, '9999ms'],
    [10000, '10.0s'],
    [59999, '60.0s'],
    [60000, '1:00'],
    [3599999, '59:59'],
    [3600000, '1:00:00'],
    [3e9, '833:20:00'],
    [-5, '-5.00ms'],
    [-1e20, '-2147483648ms'],
    [Infinity, '0:00:00'],
    [NaN, '0:00:00'],
  ])('%d', (ms, text) => {
    expect(formatSippTime(ms)).toBe(text);
  });
});

describe('sippPauseMs / sippVariablePauseMs: the wait SIPp 3.6.1 derives', () => {
  it.each<[number, number]>([
    [0, 0],
    [0.999, 0],
    [1, 1],
    [1.999, 1],
    [1500.9, 1500],
    [-5, 0],
    [-1e300, 0],
    [NaN, 0],
    [SIPP_INT_MAX + 0.5, SIPP_INT_MAX],
    [3e9, SIPP_INT_MAX],
    [2 ** 32 + 5, 5], // the low 32 bits, as the compiled cast keeps them
    [Infinity, 0],
  ])('sample %d -> %d ms', (sample, ms) => {
    expect(sippPauseMs(sample)).toBe(ms);
  });

  it.each<[number, number]>([
    [0, 0],
    [0.9, 0],
    [-0.5, 0],
    [5.7, 5],
    [-1, SIPP_INT_MAX],
    [3e9, SIPP_INT_MAX],
    [NaN, SIPP_INT_MAX],
  ])('variable %d -> %d ms', (value, ms) => {
    expect(sippVariablePauseMs(value)).toBe(ms);
  });

  it('pauseMs applies the rule to a draw', () => {
    const random = seededRandom(7);
    const d = dist({ distribution: 'normal', mean: '-5000', stdev: '1' });
    for (let i = 0; i < 100; i++) expect(d.pauseMs(random)).toBe(0);
    const f = dist({ milliseconds: '1500.9' });
    expect(f.pauseMs(random)).toBe(1500);
    expect(dist({}).pauseMs(random, 250)).toBe(250);
  });
});

describe('numeric helpers', () => {
  it('logGamma', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
  it('incomplete gamma and the normal CDF', () => {
    expect(gammaP(1, 2)).toBeCloseTo(1 - Math.exp(-2), 14);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 14);
  });
  it('quantiles (GSL Pinv values)', () => {
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 12);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 12);
    expect(normalQuantile(0.5)).toBe(0);
    // Gamma(1) is Exp(1); Gamma(2) at 0.99 is 6.638352067993813 (1 − e^−x(1 + x) = 0.99)
    expect(gammaQuantile(0.99, 1)).toBeCloseTo(Math.log(100), 11);
    expect(gammaQuantile(0.99, 2)).toBeCloseTo(6.638352067993813, 10);
    expect(gammaQuantile(0.5, 0.01)).toBeGreaterThan(0);
  });
  it('SIPp quantiles of each distribution', () => {
    const q = (params: DistributionParams): number => makeDistribution(params).quantile(0.99);
    expect(q({ kind: 'uniform', min: 10, max: 20 })).toBeCloseTo(10 + 20 * 0.99, 12); // sic
    expect(q({ kind: 'normal', mean: 20, stdev: 5 })).toBeCloseTo(20 + 5 * 2.3263478740408408, 10);
    expect(q({ kind: 'lognormal', mean: 2, stdev: 0.5 })).toBeCloseTo(Math.exp(2 + 0.5 * 2.3263478740408408), 10);
    expect(q({ kind: 'exponential', mean: 10 })).toBeCloseTo(10 * Math.log(100), 10);
    expect(q({ kind: 'weibull', lambda: 10, k: 2 })).toBeCloseTo(10 * Math.sqrt(Math.log(100)), 10);
    expect(q({ kind: 'pareto', k: 3, xm: 5 })).toBeCloseTo(5 * Math.pow(100, 1 / 3), 10);
    expect(q({ kind: 'gpareto', shape: 0.25, scale: 5, location: 1 })).toBeCloseTo(1 + (5 * (0.99 ** -0.25 - 1)) / 0.25, 12);
    expect(q({ kind: 'gamma', k: 2, theta: 5 })).toBeCloseTo(5 * 6.638352067993813, 9);
    expect(q({ kind: 'negbin', n: 3, p: 0.5 })).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------
// Samplers: N draws from a seeded source; the sample mean and variance must match the closed
// forms within 5 standard errors (the standard error of the variance is estimated from the
// sample's fourth central moment). Deterministic: a fixed seed gives the same draws.

const N = 200_000;

interface Moments {
  mean: number;
  variance: number;
  meanTolerance: number;
  varianceTolerance: number;
  min: number;
  max: number;
}

function moments(d: Distribution, seed: number, n = N): Moments {
  const random = seededRandom(seed);
  const xs = new Float64Array(n);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = d.sample(random);
    xs[i] = x;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const c = xs[i]! - mean;
    m2 += c * c;
    m4 += c * c * c * c;
  }
  const variance = m2 / (n - 1);
  m4 /= n;
  return {
    mean,
    variance,
    meanTolerance: 5 * Math.sqrt(variance / n),
    varianceTolerance: 5 * Math.sqrt(Math.max(m4 - variance * variance, 0) / n),
    min,
    max,
  };
}

function expectMoments(d: Distribution, seed: number): Moments {
  const m = moments(d, seed);
  expect(d.mean).toBeDefined();
  expect(d.variance).toBeDefined();
  expect(Math.abs(m.mean - d.mean!)).toBeLessThanOrEqual(m.meanTolerance);
  expect(Math.abs(m.variance - d.variance!)).toBeLessThanOrEqual(m.varianceTolerance);
  return m;
}

describe(`samplers: ${N} seeded draws against the closed-form mean and variance`, () => {
  it.each<[DistributionParams]>([
    [{ kind: 'uniform', min: 10, max: 20 }],
    [{ kind: 'normal', mean: 20, stdev: 5 }],
    [{ kind: 'lognormal', mean: 2, stdev: 0.5 }],
    [{ kind: 'exponential', mean: 10 }],
    [{ kind: 'weibull', lambda: 10, k: 2 }],
    [{ kind: 'weibull', lambda: 3, k: 0.8 }],
    [{ kind: 'pareto', k: 5, xm: 5 }],
    [{ kind: 'gpareto', shape: 0.1, scale: 5, location: 1 }],
    [{ kind: 'gpareto', shape: -0.5, scale: 5, location: 1 }],
    [{ kind: 'gamma', k: 2, theta: 5 }],
    [{ kind: 'gamma', k: 0.3, theta: 10 }],
    [{ kind: 'gamma', k: 50, theta: 0.5 }],
    [{ kind: 'negbin', n: 3, p: 0.5 }], // Poisson means below 10 (Knuth)
    [{ kind: 'negbin', n: 50, p: 0.2 }], // Poisson means around 200 (PTRS)
    [{ kind: 'negbin', n: 0.5, p: 0.05 }], // both
  ])('%j', (params) => {
    expectMoments(makeDistribution(params), 1234);
  });

  it('fixed and default are constant', () => {
    const random = seededRandom(1);
    expect(makeDistribution({ kind: 'fixed', value: 15.5 }).sample(random)).toBe(15.5);
    expect(makeDistribution({ kind: 'default' }).sample(random, 321)).toBe(321);
    expect(makeDistribution({ kind: 'default' }).sample(random)).toBe(0);
  });

  it('uniform stays within [min, max) and reaches both ends', () => {
    const m = moments(makeDistribution({ kind: 'uniform', min: 10, max: 20 }), 99);
    expect(m.min).toBeGreaterThanOrEqual(10);
    expect(m.max).toBeLessThan(20);
    expect(m.min).toBeLessThan(10.001);
    expect(m.max).toBeGreaterThan(19.999);
  });

  it('pareto never goes below x_m, gpareto (shape > 0) never below location', () => {
    expect(moments(makeDistribution({ kind: 'pareto', k: 3, xm: 5 }), 5, 20_000).min).toBeGreaterThanOrEqual(5);
    expect(moments(makeDistribution({ kind: 'gpareto', shape: 0.2, scale: 1, location: 3 }), 5, 20_000).min).toBeGreaterThanOrEqual(3);
  });

  it('negbin draws are whole numbers, 0 for p > 1 (a negative Poisson mean)', () => {
    const random = seededRandom(3);
    const d = makeDistribution({ kind: 'negbin', n: 3, p: 0.3 });
    for (let i = 0; i < 1000; i++) expect(Number.isInteger(d.sample(random))).toBe(true);
    const over = makeDistribution({ kind: 'negbin', n: 3, p: 1.5 });
    for (let i = 0; i < 100; i++) expect(over.sample(random)).toBe(0);
  });

  it('the same seed gives the same draws, another seed others', () => {
    const d = makeDistribution({ kind: 'gamma', k: 2, theta: 5 });
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 5 }, () => d.sample(a));
    expect(Array.from({ length: 5 }, () => d.sample(b))).toEqual(xs);
    expect(Array.from({ length: 5 }, () => d.sample(c))).not.toEqual(xs);
  });

  it('the check can fail: exponential draws do not pass for a mean 2% off', () => {
    const d = makeDistribution({ kind: 'exponential', mean: 10 });
    const m = moments(d, 1234);
    expect(Math.abs(m.mean - 10.2)).toBeGreaterThan(m.meanTolerance);
    // and swapped negbin parameters (the classic SIPp n/p mix-up) are caught
    const nb = moments(makeDistribution({ kind: 'negbin', n: 3, p: 0.5 }), 1234);
    const swapped = makeDistribution({ kind: 'negbin', n: 0.5, p: 3 });
    expect(Math.abs(nb.mean - (swapped.mean ?? 0))).toBeGreaterThan(nb.meanTolerance);
  });

  it('only the injected source is used', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random used');
    };
    try {
      const random = seededRandom(5);
      for (const params of [
        { kind: 'normal', mean: 1, stdev: 1 },
        { kind: 'gamma', k: 0.5, theta: 1 },
        { kind: 'negbin', n: 20, p: 0.1 },
      ] as DistributionParams[]) {
        makeDistribution(params).sample(random);
      }
    } finally {
      Math.random = original;
    }
  });
});
