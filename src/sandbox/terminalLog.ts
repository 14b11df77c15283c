// The sandbox's terminal shows what the bot logs as short readable lines beside the "[simulator]" ones,
// instead of pino's JSON: someone trying the bot should see "status for contoso failed: Partner Center
// answered 500 (code 800003); the user was told.", not a 3 KB record. Production keeps the JSON.

const ERROR_LEVEL = 50;

/**
 * One pino JSON record → the text for the terminal (ending in a newline). A record's `summary` is its line;
 * otherwise its message and error message. Only an error that still has a stack (a bug, not Partner Center
 * saying no: those arrive without one) adds its stack below, indented.
 */
export function terminalLine(record: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch {
    return `  [bot] ${oneLine(record)}\n`;
  }
  if (typeof parsed !== 'object' || parsed === null) return `  [bot] ${oneLine(record)}\n`;
  const { level, msg, summary, err } = parsed as { level?: unknown; msg?: unknown; summary?: unknown; err?: unknown };
  const error = typeof err === 'string' ? { message: err } : typeof err === 'object' && err !== null ? (err as { message?: unknown; stack?: unknown }) : null;
  const prefix = typeof level === 'number' && level >= ERROR_LEVEL ? 'error: ' : '';
  const text =
    typeof summary === 'string' && summary.trim() !== ''
      ? summary
      : [typeof msg === 'string' ? msg : '', typeof error?.message === 'string' ? error.message : ''].filter(Boolean).join(': ');
  const stack = typeof error?.stack === 'string' ? error.stack.split('\n').slice(1).map((line) => `      ${line.trim()}`) : [];
  return [`  [bot] ${prefix}${oneLine(text)}`, ...stack].join('\n') + '\n';
}

/** A pino destination that writes terminal lines (to stdout by default). */
export function terminalLogStream(write: (text: string) => void = (text) => void process.stdout.write(text)): { write(chunk: string): void } {
  // pino writes one record per call; splitting anyway costs nothing and never glues two records together.
  return { write: (chunk) => chunk.split('\n').filter((record) => record.trim() !== '').forEach((record) => write(terminalLine(record))) };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
