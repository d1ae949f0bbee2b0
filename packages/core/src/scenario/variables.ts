// SIPp's scenario variables (src/variables.cpp): names resolved to slots at load time, values
// typed at run time. The rules users rely on, checked against /usr/bin/sipp 3.6.1:
// - A variable is a regexp match (from <ereg>), a double, a string or a boolean, or unset.
// - [$v] renders: a match as its text; a double as printf("%lf") ("3.000000"); a string as
//   is; a boolean as "true"/"false"; and nothing when the variable is not "set". A double is
//   set only when it is not 0, so a double 0 renders as nothing.
// - Every variable must be referenced at least twice in a scenario (`_` excepted), so a typo
//   is a load error: "Variable $x is referenced 1 times!". <Reference variables="..."/> counts.

import { formatDouble, parseCDouble } from './sipp-values.js';

/** Where a variable lives: one per run (`<Global>`), per user (`<User>`), or per call. */
export type VariableScope = 'global' | 'user' | 'call';

export interface VariableInfo {
  name: string;
  scope: VariableScope;
  /** Where the variable was first referenced (for the "referenced fewer than twice" error). */
  line: number;
  references: number;
}

const UNSET = 0;
const MATCH = 1;
const DOUBLE = 2;
const STRING = 3;
const BOOL = 4;

/** One variable's value, typed as SIPp's CCallVariable. */
export class VariableValue {
  private type = UNSET;
  private text = '';
  private number = 0;
  private flag = false;
  private matches = 0;

  setMatch(text: string): void {
    this.type = MATCH;
    this.text = text;
    this.matches++;
  }

  setDouble(value: number): void {
    this.type = DOUBLE;
    this.number = value;
  }

  setString(value: string): void {
    this.type = STRING;
    this.text = value;
  }

  setBool(value: boolean): void {
    this.type = BOOL;
    this.flag = value;
  }

  /** SIPp's isSet(): what `test=`, `condexec=` and rendering look at. */
  isSet(): boolean {
    switch (this.type) {
      case MATCH:
        return this.matches >= 1;
      case BOOL:
        return this.flag;
      case DOUBLE:
        return this.number !== 0;
      default:
        return this.type !== UNSET;
    }
  }

  isDouble(): boolean {
    return this.type === DOUBLE;
  }

  /** A double's value; any other type reads as 0 (SIPp's getDouble). */
  getDouble(): number {
    return this.type === DOUBLE ? this.number : 0;
  }

  /** A string's or a match's text; anything else reads as "" (SIPp's getString). */
  getString(): string {
    return this.type === STRING || this.type === MATCH ? this.text : '';
  }

  /** SIPp's toDouble(): strtod over the whole text; undefined when it does not convert. */
  toDouble(): number | undefined {
    switch (this.type) {
      case MATCH:
        if (this.matches < 1) return undefined;
        return parseCDouble(this.text);
      case STRING:
        return parseCDouble(this.text);
      case DOUBLE:
        return this.number;
      case BOOL:
        return this.flag ? 1 : 0;
      default:
        return undefined;
    }
  }

  /** The text of `[$name]`. */
  render(): string {
    if (!this.isSet()) return this.type === BOOL ? 'false' : '';
    switch (this.type) {
      case MATCH:
      case STRING:
        return this.text;
      case DOUBLE:
        return formatDouble(this.number);
      default:
        return 'true';
    }
  }

  /** A short description for screens and errors. */
  describe(): string {
    switch (this.type) {
      case MATCH:
        return `match "${this.text}"`;
      case DOUBLE:
        return `double ${formatDouble(this.number)}`;
      case STRING:
        return `string "${this.text}"`;
      case BOOL:
        return this.flag ? 'true' : 'false';
      default:
        return 'unset';
    }
  }
}
