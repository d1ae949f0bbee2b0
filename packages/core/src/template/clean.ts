// SIPp's clean_cdata() (src/scenario.cpp) and the end-of-message rule of the <send> reader,
// reproduced step by step: the order of the steps shows in the result (see below).

export interface CleanedCdata {
  /** The message text SIPp builds its send template from (LF line ends). */
  text: string;
  /** Number of newlines dropped from the start of the CDATA (to give keyword lines). */
  leadingNewlines: number;
}

/**
 * Clean the text of a `<send>` CDATA block as SIPp does:
 * 1. CR LF and lone CR become LF (SIPp's XML reader does that before clean_cdata).
 * 2. Spaces, tabs and newlines at the start are dropped.
 * 3. Spaces, tabs and newlines at the end are dropped; SIPp counts the dropped newlines.
 * 4. Then, each to completion and in this order: spaces after a newline, spaces before a
 *    newline, tabs after a newline, tabs before a newline are removed. So every line loses
 *    its indentation and its trailing blanks, except mixed runs that the order leaves
 *    (`\t x` keeps its space, `x \t` keeps its space).
 * 5. When the text holds no empty line (no LF LF), LF LF is appended: a message without a
 *    body ends with an empty line.
 * 6. When it has one (a body follows) and does not end with LF, one LF is appended if step 3
 *    dropped any: a body ends with a line end only when the CDATA had one after it.
 *
 * Returns undefined for text SIPp calls "Empty cdata" (nothing, or a single character, left).
 */
export function cleanCdata(cdata: string): CleanedCdata | undefined {
  let text = cdata.indexOf('\r') >= 0 ? cdata.replace(/\r\n?/g, '\n') : cdata;

  let start = 0;
  let leadingNewlines = 0;
  while (start < text.length) {
    const c = text[start];
    if (c === '\n') leadingNewlines++;
    else if (c !== ' ' && c !== '\t') break;
    start++;
  }
  let end = text.length;
  let removedNewlines = 0;
  while (end > start) {
    const c = text[end - 1];
    if (c === '\n') removedNewlines++;
    else if (c !== ' ' && c !== '\t') break;
    end--;
  }
  if (end - start <= 1) return undefined;
  text = text.slice(start, end);

  text = text.replace(/\n +/g, '\n');
  text = text.replace(/ +\n/g, '\n');
  text = text.replace(/\n\t+/g, '\n');
  text = text.replace(/\t+\n/g, '\n');

  if (text.indexOf('\n\n') < 0) text += '\n\n';
  else if (!text.endsWith('\n') && removedNewlines > 0) text += '\n';
  return { text, leadingNewlines };
}
