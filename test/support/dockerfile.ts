// Reads the project's Dockerfile into stages and instructions, so a test can replay the runtime stage outside
// Docker (no registry is reachable here to build the image) with the very values the image uses.
// Only the forms our Dockerfile uses: `KEY=value` ENV pairs (optionally "quoted"), exec-form (JSON) CMD and
// HEALTHCHECK, COPY with an optional --from=<stage>.

export interface Instruction {
  /** Upper-cased: FROM, ENV, COPY, RUN, ... */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
}

export interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

export interface Copy {
  /** The stage the files come from; null: the build context (the project folder). */
  from: string | null;
  sources: string[];
  destination: string;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const { keyword, args } of instructions(text)) {
    if (keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!match) throw new Error(`FROM ${args}: not "image [AS name]"`);
      stages.push({ base: match[1]!, name: match[2] ?? null, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** Logical instructions: comments and blank lines dropped, lines ending in a backslash joined to the next. */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    // Docker drops comment lines even inside a continuation.
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${pending ? ' ' : ''}${continued ? line.slice(0, -1).trim() : line}`;
    if (continued) continue;
    if (pending) {
      const match = /^(\S+)\s*(.*)$/.exec(pending)!;
      result.push({ keyword: match[1]!.toUpperCase(), args: match[2]! });
    }
    pending = '';
  }
  return result;
}

/** Every instruction of `keyword` in the stage. */
export function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The last instruction of `keyword` (the one Docker applies, for CMD, HEALTHCHECK, USER, WORKDIR). */
export function last(stage: Stage, keyword: string): Instruction {
  const found = all(stage, keyword).at(-1);
  if (!found) throw new Error(`the stage has no ${keyword}`);
  return found;
}

/** The environment the stage's ENV instructions set (`KEY=value` pairs; "quoted" values unquoted). */
export function environment(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of all(stage, 'ENV')) {
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const value = match[2]!;
      env[match[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
  }
  return env;
}

/** An exec-form command (`["node", "-e", "..."]`), as Docker runs it: no shell in between. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec-form command: ${args}`);
  return parsed;
}

/** HEALTHCHECK [--option=value ...] CMD [...]: the command. */
export function healthcheckCommand(stage: Stage): string[] {
  const match = /^(?:--\S+\s+)*CMD\s+(\[.*\])$/.exec(last(stage, 'HEALTHCHECK').args);
  if (!match) throw new Error('HEALTHCHECK is not "[--options] CMD [exec form]"');
  return execForm(match[1]!);
}

export function copies(stage: Stage): Copy[] {
  return all(stage, 'COPY').map(({ args }) => {
    const words = args.split(/\s+/);
    const from = words[0]?.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
    const destination = words.pop();
    if (!destination || words.length === 0) throw new Error(`COPY ${args}: needs a source and a destination`);
    return { from, sources: words, destination };
  });
}
