/**
 * Reading a training job's output as it streams: metrics (Hugging Face Trainer log dicts, Lightning progress bars,
 * trainer_state.json), CUDA out-of-memory errors, and Python tracebacks with the user's own frame.
 */

export interface MetricPoint {
  /** The optimizer step when the log says it; else the number of training logs so far. */
  step: number;
  epoch?: number;
  loss?: number;
  evalLoss?: number;
  learningRate?: number;
}

export interface OomEvent {
  kind: 'oom';
  /** The line as printed ("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 11.76 GiB total capacity; ...)"). */
  message: string;
  triedGiB?: number;
  totalGiB?: number;
}

export interface TracebackFrame {
  file: string;
  line: number;
  function: string;
}

export interface TracebackEvent {
  kind: 'traceback';
  frames: TracebackFrame[];
  /** "ValueError: ..." — the last line of the traceback. */
  error: string;
}

export type LogEvent = { kind: 'metric'; point: MetricPoint } | OomEvent | TracebackEvent;

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf`;

/**
 * A Python dict repr of numbers as the HF Trainer prints it: {'loss': 2.1, 'learning_rate': 5e-05, 'epoch': 0.1};
 * numpy floats (np.float32(0.8)); transformers 5 prints each value formatted, as a string ({'loss': '2.77'}).
 */
function parseDict(text: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  const re = new RegExp(String.raw`'([\w/.-]+)':\s*(?:np\.float\d*\(|')?(${NUMBER})(?:\)|')?`, 'g');
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text))) {
    out[m[1]] = Number(m[2]);
    n++;
  }
  return n ? out : undefined;
}

/** Keeps state across lines: the training-log count, and a traceback being read. */
export class LogReader {
  private logs = 0;
  private lastStep = 0;
  private traceback: TracebackFrame[] | undefined;
  private pendingFrame: TracebackFrame | undefined;

  /** Feed one line (without its newline; carriage-return progress updates are split by the caller or here). */
  line(raw: string): LogEvent[] {
    const events: LogEvent[] = [];
    // tqdm redraws with \r: the last segment is what the line finally shows, but every segment may hold metrics.
    for (const seg of raw.split('\r')) {
      const line = seg.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // ANSI colours and cursor moves
      events.push(...this.segment(line));
    }
    return events;
  }

  private segment(line: string): LogEvent[] {
    const events: LogEvent[] = [];
    // Tracebacks: "Traceback (most recent call last):", frames, then "SomeError: message".
    if (/^Traceback \(most recent call last\):/.test(line.trim()) || /^\[rank\d+\]: Traceback \(most recent call last\):/.test(line.trim())) {
      this.traceback = [];
      this.pendingFrame = undefined;
      return events;
    }
    if (this.traceback) {
      const body = line.replace(/^\[rank\d+\]:\s?/, '');
      const frame = /^\s+File "(.+)", line (\d+), in (.+)$/.exec(body);
      if (frame) {
        this.pendingFrame = { file: frame[1], line: Number(frame[2]), function: frame[3].trim() };
        this.traceback.push(this.pendingFrame);
        return events;
      }
      if (/^\s/.test(body) || /^During handling|^The above exception|^\s*$/.test(body)) {
        if (/^During handling|^The above exception/.test(body)) this.traceback = []; // the chained one follows
        return events;
      }
      if (/^[\w.]+(Error|Exception|Interrupt|Exit)\b|^[\w.]+: /.test(body)) {
        events.push({ kind: 'traceback', frames: this.traceback, error: body.trim() });
      }
      this.traceback = undefined;
    }
    const oom = /(?:torch\.(?:cuda\.)?OutOfMemoryError|RuntimeError): (CUDA out of memory\..*)$/.exec(line) ?? /(CUDA out of memory\..*)$/.exec(line);
    if (oom) {
      const msg = oom[1].trim();
      const tried = /Tried to allocate ([\d.]+) (GiB|MiB)/.exec(msg);
      const total = /([\d.]+) GiB total capacity|GPU \d+ has a total capacity of ([\d.]+) GiB/.exec(msg);
      events.push({
        kind: 'oom',
        message: msg,
        ...(tried ? { triedGiB: Number(tried[1]) / (tried[2] === 'MiB' ? 1024 : 1) } : {}),
        ...(total ? { totalGiB: Number(total[1] ?? total[2]) } : {}),
      });
      return events;
    }
    // Hugging Face Trainer: {'loss': 2.1, 'grad_norm': 1.3, 'learning_rate': 5e-05, 'epoch': 0.1}
    const dict = /\{'(?:loss|eval_loss|train_loss|learning_rate|epoch)'[^{}]*\}/.exec(line);
    if (dict) {
      const d = parseDict(dict[0]);
      if (d && ('loss' in d || 'eval_loss' in d)) {
        if ('loss' in d) this.logs++;
        const step = d['step'] ?? ('loss' in d ? this.logs : this.lastStep || this.logs);
        this.lastStep = step;
        events.push({
          kind: 'metric',
          point: {
            step,
            ...(d['epoch'] !== undefined ? { epoch: d['epoch'] } : {}),
            ...(d['loss'] !== undefined ? { loss: d['loss'] } : {}),
            ...(d['eval_loss'] !== undefined ? { evalLoss: d['eval_loss'] } : {}),
            ...(d['learning_rate'] !== undefined ? { learningRate: d['learning_rate'] } : {}),
          },
        });
      }
      return events;
    }
    // Lightning's progress bar: "Epoch 1:  45%|████▌     | 45/100 [00:10<00:12, 4.50it/s, v_num=0, train_loss=0.693, val_loss=0.812]"
    const bar = /Epoch (\d+):.*?\|\s*(\d+)\/(\d+) \[[^\]]*?,\s*([^\]]*)\]/.exec(line);
    if (bar) {
      const epoch = Number(bar[1]);
      const step = epoch * Number(bar[3]) + Number(bar[2]);
      const metrics: Record<string, number> = {};
      for (const m of bar[4].matchAll(new RegExp(String.raw`([\w/.-]+)=(${NUMBER})`, 'g'))) metrics[m[1]] = Number(m[2]);
      const loss = metrics['train_loss'] ?? metrics['train_loss_step'] ?? metrics['loss'];
      const evalLoss = metrics['val_loss'] ?? metrics['val_loss_epoch'];
      if ((loss !== undefined || evalLoss !== undefined) && step !== this.lastStep) {
        this.lastStep = step;
        events.push({ kind: 'metric', point: { step, epoch, ...(loss !== undefined ? { loss } : {}), ...(evalLoss !== undefined ? { evalLoss } : {}) } });
      }
    }
    return events;
  }
}

/** trainer_state.json's log_history as points (step, loss, eval loss, learning rate). */
export function pointsFromTrainerState(text: string): MetricPoint[] {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    return [];
  }
  const history = (state as { log_history?: unknown })?.log_history;
  if (!Array.isArray(history)) return [];
  const out: MetricPoint[] = [];
  for (const h of history) {
    if (!h || typeof h !== 'object') continue;
    const r = h as Record<string, unknown>;
    const num = (k: string) => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? r[k] : undefined);
    const step = num('step');
    if (step === undefined || (num('loss') === undefined && num('eval_loss') === undefined)) continue;
    const p: MetricPoint = { step };
    if (num('epoch') !== undefined) p.epoch = num('epoch')!;
    if (num('loss') !== undefined) p.loss = num('loss')!;
    if (num('eval_loss') !== undefined) p.evalLoss = num('eval_loss')!;
    if (num('learning_rate') !== undefined) p.learningRate = num('learning_rate')!;
    out.push(p);
  }
  return out;
}

/** The user's own frame: the last one outside site-packages, the standard library and Python's internals. */
export function ownFrame(frames: TracebackFrame[], roots: string[] = []): TracebackFrame | undefined {
  const isLibrary = (f: string) => /[\\/](site|dist)-packages[\\/]|[\\/]lib[\\/]python\d|^<|[\\/]torch[\\/]|[\\/]\.venv[\\/]/.test(f);
  const inRoots = (f: string) => !roots.length || roots.some((r) => f.startsWith(r));
  return [...frames].reverse().find((f) => !isLibrary(f.file) && inRoots(f.file)) ?? [...frames].reverse().find((f) => !isLibrary(f.file));
}
