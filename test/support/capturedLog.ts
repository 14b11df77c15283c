// What a test's app logged: pino's JSON lines kept in memory, so a test can read them back.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface LogEntry {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A stream that keeps every JSON line written to it in `lines` (a logger of one's own writes into it). */
export function lineSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
}

/** A pino logger at `level` whose lines land in `lines`; `entries()` reads them parsed. */
export function capturedLog(level = 'trace'): { log: Logger; lines: string[]; entries: () => LogEntry[] } {
  const lines: string[] = [];
  return { lines, log: pino({ level }, lineSink(lines)), entries: () => lines.map((line) => JSON.parse(line) as LogEntry) };
}
