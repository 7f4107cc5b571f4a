/**
 * MIME multi-part user data (cloud-init and nodeadm read it): parse a class's own archive into its
 * parts, and write parts back as one archive. Bad input is a UserDataError naming what is wrong.
 */
export interface MimePart {
  readonly contentType: string;
  readonly content: string;
}

export class UserDataError extends Error {
  override readonly name = 'UserDataError';
}

export const BOUNDARY = '//';
export const NODECONFIG_TYPE = 'application/node.eks.aws';
export const SHELL_TYPE = 'text/x-shellscript; charset="us-ascii"';

/** True when the text is a MIME document (starts with a MIME header), as nodeadm and cloud-init see it. */
export function looksLikeMime(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('MIME-Version:') || t.startsWith('Content-Type:');
}

function headersOf(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split('\n')) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      out.set(last, `${out.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) throw new UserDataError(`malformed MIME header line: ${JSON.stringify(line.slice(0, 80))}`);
    last = line.slice(0, i).trim().toLowerCase();
    out.set(last, line.slice(i + 1).trim());
  }
  return out;
}

/** Splits at the first empty line: headers, then the body. */
function split(text: string): { headers: Map<string, string>; body: string } {
  const at = text.indexOf('\n\n');
  if (at < 0) return { headers: headersOf(text.trim()), body: '' };
  return { headers: headersOf(text.slice(0, at).trim()), body: text.slice(at + 2) };
}

function boundaryOf(contentType: string): string {
  const [type] = contentType.split(';');
  if (!type?.trim().toLowerCase().startsWith('multipart/'))
    throw new UserDataError(`user data is MIME but not multipart (Content-Type: ${contentType})`);
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (b === undefined) throw new UserDataError('multipart user data without a boundary parameter');
  return b;
}

/** The parts of a MIME multi-part document, in order. */
export function parseMime(text: string): MimePart[] {
  const { headers, body } = split(text.replace(/\r\n/g, '\n'));
  const boundary = boundaryOf(headers.get('content-type') ?? '');
  const delimiter = `--${boundary}`;
  const lines = body.split('\n');
  const parts: MimePart[] = [];
  let current: string[] | undefined;
  let closed = false;
  for (const line of lines) {
    const l = line.trimEnd();
    if (l === delimiter || l === `${delimiter}--`) {
      if (current) parts.push(partOf(current.join('\n')));
      current = l === delimiter ? [] : undefined;
      if (l !== delimiter) {
        closed = true;
        break;
      }
    } else current?.push(line);
  }
  // A last delimiter with nothing after it ends the archive too: Go's multipart reader, which
  // Karpenter and nodeadm use, reads to the end of input and stops there without an error.
  const endsAtDelimiter = current !== undefined && current.every((l) => l.trim() === '');
  if (!closed && !endsAtDelimiter)
    throw new UserDataError(
      `multipart user data ends inside a part: close it with ${delimiter} or ${delimiter}--`,
    );
  return parts;
}

function partOf(text: string): MimePart {
  const { headers, body } = split(text);
  return { contentType: headers.get('content-type') ?? 'text/plain', content: body.replace(/\n$/, '') };
}

/** One archive of the parts, in order, with Karpenter's boundary and line endings. */
export function writeMime(parts: readonly MimePart[]): string {
  const out = ['MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`, ''];
  for (const p of parts) {
    out.push(`--${BOUNDARY}`, `Content-Type: ${p.contentType}`, '', p.content.replace(/\n$/, ''));
  }
  out.push(`--${BOUNDARY}--`, '');
  return out.join('\n');
}
