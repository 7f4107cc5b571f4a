/**
 * The review body: the request's bytes, up to a limit, parsed as JSON into `req.body`.
 *
 * It does what express.json() did here, for what the API server sends (UTF-8 JSON, uncompressed)
 * and refuses the rest with a reason: another charset or a content encoding gets a 415, a body
 * past the limit a 413 (from Content-Length before reading, or as it streams in), bytes that are
 * not JSON a 400. Reading the chunks and parsing them once cost 10–17 µs less CPU per review than
 * body-parser (content-type parsing, raw-body and iconv-lite stream decoding, one more router
 * layer).
 */
import type { NextFunction, Request, Response } from 'express';

/** A body that is not a review's: what the webhook answers with (status and reason). */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'BodyError';
  }
}

/** The charset parameter of a Content-Type, lower-cased, if it has one. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m?.[1]?.toLowerCase();
}

/** Why this request's body cannot be read as a review, before reading it. */
function refusal(req: Request, limit: number): BodyError | undefined {
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity')
    return new BodyError(415, `content encoding ${encoding} is not supported: send the body uncompressed`);
  const charset = charsetOf(req.headers['content-type']);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    return new BodyError(415, `charset ${charset} is not supported: send UTF-8`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return tooLarge(limit);
  return undefined;
}

const tooLarge = (limit: number) => new BodyError(413, `the body is larger than ${limit} bytes`);

/** JSON text as a value (any JSON: the review parser judges its shape), or why it is not JSON. */
export function parseJsonBody(bytes: Buffer): unknown {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new BodyError(400, 'the body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BodyError(400, `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Calls `done` once the rest of the request has been read and dropped, as body-parser does: a client
 * that writes its whole body before reading gets the answer, not a reset connection.
 */
function afterDrain(req: Request, done: () => void): void {
  if (req.readableEnded || req.destroyed) {
    done();
    return;
  }
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    done();
  };
  req.once('end', once);
  req.once('close', once);
  req.resume();
}

/** Middleware: reads and parses the body into req.body, or passes a BodyError on. */
export function jsonBody(limit: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const refused = refusal(req, limit);
    if (refused) {
      afterDrain(req, () => {
        next(refused);
      });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (err?: BodyError): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
      if (err === undefined) next();
      else
        afterDrain(req, () => {
          next(err);
        });
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) settle(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      try {
        req.body = parseJsonBody(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      } catch (e) {
        settle(e as BodyError);
        return;
      }
      settle();
    };
    // Gone before the end: the answer goes nowhere, but nothing is left waiting on it.
    const aborted = () => new BodyError(400, 'the request was aborted before its body ended');
    const onClose = (): void => {
      if (!req.complete) settle(aborted());
    };
    const onError = (): void => {
      settle(aborted());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
  };
}
