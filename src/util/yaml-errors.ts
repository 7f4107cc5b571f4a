/**
 * A YAML parser error in a person's words, at the column of what is wrong: the parser reports an
 * indentation error at column 1 of a line whose key stands at column 10, as "Sequence item without -
 * indicator". Here the position moves to the line's first character and the message says what the
 * indentation does and what to do. Errors without a plainer wording keep the parser's first line,
 * without its own "at line L, column C". Pure.
 */
export interface YamlErrorAt {
  line: number;
  col: number;
  message: string;
}

const stripPosition = (m: string): string => m.replace(/ at line \d+, column \d+:?$/, '');

/** The first word of the line (a key, `- `, a value), for the message. */
function firstToken(text: string): string {
  const t = text.trim();
  const key = /^(- )?("[^"]*"|'[^']*'|[^:#\s]+):?/.exec(t);
  return key ? key[0] : t.slice(0, 20);
}

export function plainYamlError(
  code: string,
  parserMessage: string,
  at: { line: number; col: number },
  lineText: string,
): YamlErrorAt {
  const message = stripPosition(parserMessage.split('\n')[0] ?? parserMessage);
  const indent = lineText.length - lineText.trimStart().length;
  // The parser points at the start of the line; what is wrong starts at its first character.
  const col = at.col === 1 && indent > 0 && lineText.trim() !== '' ? indent + 1 : at.col;
  const token = firstToken(lineText);
  const spaces = `${indent} space${indent === 1 ? '' : 's'}`;
  const plain: Record<string, string> = {
    MISSING_CHAR: /without - indicator/.test(message)
      ? `\`${token}\` is indented ${spaces}, which matches neither the keys of the list item above nor the list itself: indent it like the keys above it, or start a new list item with "- "`
      : message,
    BAD_INDENT: `\`${token}\` is indented ${spaces}, unlike the keys beside it: keys of one mapping start at the same column`,
    TAB_AS_INDENT: 'a tab indents this line: YAML indents with spaces only',
    BLOCK_AS_IMPLICIT_KEY: `a second \`key:\` on the line of \`${token}\`: put the nested mapping on its own lines, or quote the value`,
  };
  return { line: at.line, col, message: plain[code] ?? message };
}
