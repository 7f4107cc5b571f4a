/** Input the CLI cannot use (files, flags): exit 2 with every error at file:line:col. */
import type { YamlError } from '../util/yaml-source.js';

export class BadInput extends Error {
  override readonly name = 'BadInput';
  constructor(readonly errors: YamlError[]) {
    super(errors.map((e) => `${e.file}${e.line > 0 ? `:${e.line}:${e.col}` : ''}: ${e.message}`).join('\n'));
  }
}
