// The Dockerfile's runtime stage, replayed in a temporary folder instead of an image: its COPYs (from the
// built checkout, which is what the build stage produces), its `npm ci` (production dependencies only), its
// ENV, CMD and HEALTHCHECK, with the container's paths (WORKDIR, VOLUME) mapped to folders here. Everything
// is read from the Dockerfile, so the test and the image cannot drift apart.
import { execFileSync, spawn } from 'node:child_process';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { all, copies, environment, execForm, healthcheckCommand, last, parseDockerfile, type Stage } from './dockerfile.js';
import { keepTail } from './postgres.js';

export interface ReplayedStage {
  /** The container's WORKDIR, here. */
  appDir: string;
  /** The container's VOLUME, here. */
  dataDir: string;
  /** The stage's ENV, container paths mapped to the folders here. */
  env: Record<string, string>;
  command: string[];
  healthcheck: string[];
  /** The flags the stage gives `npm ci`, as run here. */
  npmCiArgs: string[];
  /** The stage's USER. */
  user: string;
  /** Who runs the replay: `nobody` when the tests run as root (as the image never runs as root), else us. */
  runAs: { name: string; uid: number; gid: number };
  remove(): Promise<void>;
}

export async function replayRuntimeStage(projectRoot: string): Promise<ReplayedStage> {
  const stages = parseDockerfile(await readFile(path.join(projectRoot, 'Dockerfile'), 'utf8'));
  const runtime = stages.at(-1)!;
  const workdir = last(runtime, 'WORKDIR').args;
  const volume = last(runtime, 'VOLUME').args;
  const root = await mkdtemp(path.join(tmpdir(), 'pa-image-'));
  // mkdtemp makes it 0700: the unprivileged user must be able to walk into it.
  await chmod(root, 0o755);
  const appDir = path.join(root, 'app');
  const dataDir = path.join(root, 'data');
  await mkdir(appDir);
  const runAs = unprivilegedUser();
  // The image's `mkdir -p /data && chown node:node /data`: the volume belongs to the user that runs.
  await mkdir(dataDir);
  await chown(dataDir, runAs.uid, runAs.gid);

  const here = (containerPath: string): string => {
    for (const [from, to] of [[workdir, appDir], [volume, dataDir]] as const) {
      if (containerPath === from || containerPath.startsWith(`${from}/`)) return path.join(to, containerPath.slice(from.length));
    }
    if (path.posix.isAbsolute(containerPath)) throw new Error(`${containerPath} is outside WORKDIR and VOLUME: the replay cannot map it`);
    return path.join(appDir, containerPath);
  };

  let npmCiArgs: string[] = [];
  for (const instruction of runtime.instructions) {
    if (instruction.keyword === 'COPY') {
      const [copy] = copies({ ...runtime, instructions: [instruction] });
      const sourceRoot = copy!.from === null ? null : stageWorkdir(stages, copy!.from);
      const destination = here(copy!.destination);
      for (const source of copy!.sources) {
        const local = sourceRoot === null ? path.join(projectRoot, source) : path.join(projectRoot, path.posix.relative(sourceRoot, source));
        const target = copy!.destination.endsWith('/') ? path.join(destination, path.basename(source)) : destination;
        await cp(local, target, { recursive: true });
      }
    } else if (instruction.keyword === 'RUN') {
      const npmCi = instruction.args.split('&&').map((part) => part.trim()).find((part) => /^npm ci\b/.test(part));
      if (!npmCi) continue; // mkdir/chown of the volume: done above
      npmCiArgs = npmCi.split(/\s+/).slice(1);
      // --prefer-offline: the packages come from npm's cache when it has them; the registry otherwise.
      execFileSync('npm', [...npmCiArgs, '--prefer-offline'], { cwd: appDir, stdio: 'pipe' });
    }
  }

  const env = Object.fromEntries(Object.entries(environment(runtime)).map(([name, value]) => [name, value.startsWith('/') ? here(value) : value]));
  return {
    appDir,
    dataDir,
    env,
    command: execForm(last(runtime, 'CMD').args),
    healthcheck: healthcheckCommand(runtime),
    npmCiArgs,
    user: last(runtime, 'USER').args,
    runAs,
    remove: () => rm(root, { recursive: true, force: true, maxRetries: 3 }),
  };
}

/** Runs `command` in the replayed WORKDIR as `runAs`, with exactly `env` (and PATH): nothing of ours leaks in. */
export function runInStage(stage: ReplayedStage, command: string[], env: Record<string, string>) {
  const asUser = stage.runAs.uid === process.getuid?.() ? command : ['runuser', '-u', stage.runAs.name, '--', ...command];
  // Its own process group: runuser forks, and a stop must reach node behind it.
  const child = spawn(asUser[0]!, asUser.slice(1), {
    cwd: stage.appDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return { child, output: keepTail(child) };
}

function unprivilegedUser(): { name: string; uid: number; gid: number } {
  if (process.getuid?.() !== 0) return { name: 'self', uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { name: 'nobody', uid: id('-u'), gid: id('-g') };
}

function stageWorkdir(stages: Stage[], name: string): string {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`COPY --from=${name}: no stage of that name`);
  return all(stage, 'WORKDIR').at(-1)?.args ?? '/';
}
