// When the sandbox's scripted scenario moves: not from launch (a new reader, still reading the welcome card,
// would miss the incident's first "New" card), but from the first watch, or a "poll now" while something is
// asked for; then one step every SANDBOX_SCENARIO_SECONDS. The terminal says when it starts and why.
// A sandbox restarted with watches kept from its last run starts at once.

import type { StorePorts } from '../store/ports/index.js';

/** What the pacer asks of the bot's stored records. */
export interface PacerQuestions {
  /** Is anything watched? */
  watching(): boolean;
  /** Does a "poll now" wait for its round's summary? */
  pollAsked(): boolean;
}

/** The questions, answered by the store's ports. */
export function pacerQuestions(ports: Pick<StorePorts, 'watches' | 'sweep'>): PacerQuestions {
  return { watching: () => ports.watches.any(), pollAsked: () => ports.sweep.position().summaryTo.length > 0 };
}

export interface ScenarioPacerOptions {
  scenario: { step(): { description: string } };
  stepMs: number;
  /** Asked of the bot's stored records as they are now. */
  asks: PacerQuestions;
  /** A line for the terminal. */
  say: (line: string) => void;
  /** How often to look for the first watch before the scenario starts (default 1 s). */
  checkMs?: number;
}

export class ScenarioPacer {
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private readonly hadWatches: boolean;

  constructor(private readonly options: ScenarioPacerOptions) {
    this.hadWatches = options.asks.watching();
  }

  /** Looks every second until something starts the scenario, then steps it. */
  start(): void {
    if (this.check()) return;
    this.timer = setInterval(() => this.check(), this.options.checkMs ?? 1_000);
    this.timer.unref?.();
  }

  /** Starts the scenario if the state asks for it; true once it runs. */
  check(): boolean {
    if (this.started) return true;
    const reason = this.reason();
    if (!reason) return false;
    this.started = true;
    if (this.timer) clearInterval(this.timer);
    this.options.say(`  [simulator] The scripted scenario starts now (${reason}): a step every ${seconds(this.options.stepMs)}.`);
    this.step();
    this.timer = setInterval(() => this.step(), this.options.stepMs);
    this.timer.unref?.();
    return true;
  }

  get running(): boolean {
    return this.started;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private reason(): string | null {
    const { asks } = this.options;
    if (asks.watching()) return this.hadWatches ? 'this sandbox kept its watches from the last run' : 'the first watch';
    // A "poll now" is seen while its round runs; with nothing watched it has nothing to show anyway.
    if (asks.pollAsked()) return '"poll now"';
    return null;
  }

  private step(): void {
    this.options.say(`  [simulator] ${this.options.scenario.step().description}`);
  }
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${s} second${s === 1 ? '' : 's'}`;
}
