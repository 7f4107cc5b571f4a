#!/usr/bin/env node
import { runCli } from './program.js';
import { processIO } from '../util/io.js';

await runCli(process.argv.slice(2), processIO);
