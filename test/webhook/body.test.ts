import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyError, charsetOf, jsonBody } from '../../src/webhook/body.js';

const LIMIT = 100;
const seen: BodyError[] = [];

function app(): express.Express {
  const a = express();
  a.post('/', jsonBody(LIMIT), (req, res) => {
    res.json({ body: req.body as unknown });
  });
  a.use((err: BodyError, _req: Request, res: Response, next: NextFunction) => {
    seen.push(err);
    if (res.headersSent) {
      next(err);
      return;
    }
    res.status(err.status).json({ error: err.reason });
  });
  return a;
}

describe('charsetOf', () => {
  it.each([
    [undefined, undefined],
    ['application/json', undefined],
    ['application/json; charset=utf-8', 'utf-8'],
    ['application/json;charset="UTF-8"', 'utf-8'],
    ['application/json; foo=bar; CHARSET = latin1', 'latin1'],
  ])('%s → %s', (type, charset) => {
    expect(charsetOf(type)).toBe(charset);
  });
});

describe('jsonBody', () => {
  const a = app();
  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    request(a)
      .post('/')
      .set({ 'Content-Type': 'application/json', ...headers })
      .send(body);

  it.each([
    ['an object', '{"a":[1,"é"]}', { a: [1, 'é'] }],
    ['any JSON value (the review parser judges the shape)', '[1,2]', [1, 2]],
    ['a byte-order mark before the JSON', '\ufeff{"a":1}', { a: 1 }],
    ['whitespace around it', ' \n{"a":1}\n ', { a: 1 }],
  ])('parses %s', async (_name, body, parsed) => {
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: parsed });
  });

  it.each([
    ['bytes that are not JSON', '{"a":', {}, 400, /^the body is not valid JSON: /],
    ['an empty body', '', {}, 400, /^the body is empty$/],
    ['a body past the limit', `{"a":"${'x'.repeat(LIMIT)}"}`, {}, 413, /larger than 100 bytes/],
    ['another charset', '{}', { 'Content-Type': 'application/json; charset=latin1' }, 415, /latin1/],
    ['a compressed body', '{}', { 'Content-Encoding': 'gzip' }, 415, /gzip/],
  ])('refuses %s', async (_name, body, headers, status, reason) => {
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect((res.body as { error: string }).error).toMatch(reason);
  });

  it('takes UTF-8 with its charset named, and identity encoding', async () => {
    const res = await post('{"a":1}', {
      'Content-Type': 'application/json; charset=UTF-8',
      'Content-Encoding': 'identity',
    });
    expect(res.body).toEqual({ body: { a: 1 } });
  });
});

describe('jsonBody over a raw connection', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = app().listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  /** A POST whose body is written in these pieces (chunked: no Content-Length). */
  function send(pieces: Buffer[], end = true): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('error', reject);
      for (const p of pieces) req.write(p);
      if (end) req.end();
      else setTimeout(() => req.destroy(), 50);
    });
  }

  it('joins chunks split inside a multi-byte character', async () => {
    const bytes = Buffer.from('{"name":"zoë–中"}');
    const cut = bytes.indexOf(Buffer.from('中')) + 1;
    const res = await send([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(JSON.parse(res.body)).toEqual({ body: { name: 'zoë–中' } });
  });

  it('stops at the limit when no Content-Length announced the size', async () => {
    const res = await send([Buffer.from('{"a":"'), Buffer.alloc(LIMIT, 0x78), Buffer.from('"}')]);
    expect(res.status).toBe(413);
  });

  it('lets a client that went away mid-body go, and keeps serving', async () => {
    seen.length = 0;
    await expect(send([Buffer.from('{"a":')], false)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.map((e) => e.reason)).toEqual(['the request was aborted before its body ended']);
    const ok = await send([Buffer.from('{"b":2}')]);
    expect(JSON.parse(ok.body)).toEqual({ body: { b: 2 } });
  });
});
