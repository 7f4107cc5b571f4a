/** Shared by the real-HTTPS webhook tests: a CLI io that keeps the text, and one HTTPS call. */
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { CliIO } from '../../src/util/io.js';

export function textIo(now = new Date()): CliIO & { text: string; code: number } {
  const o = {
    text: '',
    code: -1,
    out: (t: string) => {
      o.text += t;
    },
    err: (t: string) => {
      o.text += t;
    },
    exit: (c: number) => {
      o.code = c;
    },
    clock: () => now,
  };
  return o;
}

export interface Answer {
  status: number;
  body: string;
  /** The SHA-256 fingerprint of the certificate the server presented. */
  peer: string;
}

/** A GET, or a POST of `body` as JSON, on a connection of its own, verified against `ca`. */
export function call(url: string, ca: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${url}${path}`,
      {
        method: body === undefined ? 'GET' : 'POST',
        ca,
        headers: { 'Content-Type': 'application/json' },
        agent: false,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256 ?? '';
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: text, peer });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
