import { isIP } from 'node:net';
import { AddressBindError, type InjectionSet } from '@gossipper/core';
import { ExitCode } from './exit-codes.js';
import { CliError } from './run.js';

/**
 * `-t ui`: where each call's source address comes from and the sockets to bind for them.
 * SIPp reads field -ip_field (0 by default) of the first -inf file, per call, from the line the
 * call was given.
 */
export interface SourceAddressPlan {
  field: number;
  /** Distinct addresses in the order the file first gives them; the first is the main socket. */
  addresses: string[];
  family: 4 | 6;
  /** `ips.csv:3`: where each address first appears, for error messages. */
  places: ReadonlyMap<string, string>;
}

/**
 * Reads and checks every line's address before the run, so a bad line stops it at start
 * (SIPp stops too, with "Unknown host"), naming the file, the line and the field.
 */
export function sourceAddressPlan(transport: string, ipField: number | undefined, injection: InjectionSet | undefined): SourceAddressPlan | undefined {
  if (transport !== 'ui') return undefined;
  const field = ipField ?? 0;
  const file = injection?.defaultName !== undefined ? injection.get(injection.defaultName) : undefined;
  if (file === undefined) throw new CliError('-t ui needs an -inf file with the source addresses', ExitCode.Failed);
  if (file.lineCount === 0) throw new CliError(`-t ui: ${file.name} has no lines, so no source address`, ExitCode.Fatal);
  const addresses: string[] = [];
  const places = new Map<string, string>();
  let family: 4 | 6 | undefined;
  for (let line = 0; line < file.lineCount; line++) {
    const place = `${file.name}:${file.sourceLineOf(line)}`;
    const value = file.field(line, field);
    const kind = isIP(value);
    if (kind === 0) {
      throw new CliError(
        value === ''
          ? `-t ui: ${place}: field ${field} (-ip_field) is missing or empty; it must be the call's source IP address`
          : `-t ui: ${place}: field ${field} (-ip_field) is "${value}", not an IP address`,
        ExitCode.Fatal,
      );
    }
    family ??= kind as 4 | 6;
    if (kind !== family) {
      const first = addresses[0]!;
      throw new CliError(
        `-t ui: ${place}: ${value} is IPv${kind} but ${first} (${places.get(first)}) is IPv${family}; the addresses of a run must be of one family`,
        ExitCode.Fatal,
      );
    }
    if (!places.has(value)) {
      places.set(value, place);
      addresses.push(value);
    }
  }
  return { field, addresses, family: family!, places };
}

/** An AddressBindError of a `-t ui` address, with the -inf line that gave the address. */
export function withSourcePlace(error: unknown, plan: SourceAddressPlan | undefined): unknown {
  if (!(error instanceof AddressBindError) || plan === undefined) return error;
  const place = plan.places.get(error.address);
  return place === undefined ? error : new CliError(`-t ui: ${place}: ${error.message}`, ExitCode.Fatal);
}
