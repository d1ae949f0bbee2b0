/**
 * Something SIPp 3.6.1 stops on (its `ERROR(...)`, exit code 255 at run time, 1 while reading
 * the command line) about an injection file.
 *
 * `detail` is SIPp's own text, word for word, so users can grep for it. The message starts with
 * `file:line: ` when the error belongs to a line of the file (1-based, counting the mode line),
 * with `file: ` when it belongs to the file only, and is `detail` alone when no file is involved
 * (`No injection file was specified!`).
 */
export class InjectionError extends Error {
  constructor(
    /** The file as the user named it (`-inf` argument, or the `file=` of a keyword); '' when none. */
    readonly file: string,
    /** 1-based line of the file, the mode line being line 1; undefined when not about one line. */
    readonly line: number | undefined,
    /** SIPp's text. */
    readonly detail: string,
  ) {
    super(file === '' ? detail : line === undefined ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'InjectionError';
  }
}
