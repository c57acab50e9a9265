/** The progress line of `ftw check` on a terminal: large trees take seconds, and a silent terminal looks hung. */

/** Trees up to this many files finish before anyone wonders; above it the line appears. */
export const PROGRESS_MIN_FILES = 200;

/** How often the line is redrawn at most: fast enough to look alive, rare enough to cost nothing. */
const REDRAW_MS = 100;

/** `ftw check: 120/450 files (26%) configs/sft/llama.yml`, cut to the terminal's width. */
export function progressLine(done: number, total: number, current: string, columns = 80): string {
  const percent = total ? Math.floor((done * 100) / total) : 100;
  const head = `ftw check: ${done}/${total} files (${percent}%)`;
  const room = columns - head.length - 2;
  if (room < 8 || !current) return head.slice(0, Math.max(columns - 1, 0));
  // The end of a long path says more than its start.
  const shown = current.length > room ? `…${current.slice(current.length - room + 1)}` : current;
  return `${head} ${shown}`;
}

export interface ProgressOptions {
  /** Writes to the terminal (stderr). */
  write: (s: string) => void;
  /** True when the progress may be shown at all: a terminal on stdout and stderr, and the text format. */
  enabled: boolean;
  columns?: number;
  now?: () => number;
}

export interface Progress {
  /** One more file is about to be read. */
  step(file: string): void;
  /** A phase without a count ("Lightning checks of 40 Python files"). */
  note(text: string): void;
  /** Erases the line, so the report starts on a clean line. */
  done(): void;
}

const SILENT: Progress = { step() {}, note() {}, done() {} };

/** A progress line for `total` files, or nothing when it is disabled or the tree is small. */
export function createProgress(total: number, options: ProgressOptions): Progress {
  if (!options.enabled || total <= PROGRESS_MIN_FILES) return SILENT;
  const now = options.now ?? Date.now;
  const columns = options.columns ?? 80;
  let done = 0;
  let last = -Infinity;
  let shown = false;
  const draw = (text: string) => {
    // \r and "erase to end of line": the line is rewritten in place.
    options.write(`\r${text}\x1b[K`);
    shown = true;
  };
  return {
    step(file) {
      const t = now();
      if (t - last >= REDRAW_MS) {
        last = t;
        draw(progressLine(done, total, file, columns));
      }
      done++;
    },
    note(text) {
      draw(`ftw check: ${text}`.slice(0, columns - 1));
      last = now();
    },
    done() {
      if (shown) options.write('\r\x1b[K');
      shown = false;
    },
  };
}
