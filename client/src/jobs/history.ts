import * as vscode from 'vscode';
import type { FinetuneTaskDefinition } from './definition';

export type JobState = 'running' | 'succeeded' | 'failed' | 'stopped' | 'lost';

/** One run, as the job view shows it; kept per workspace. */
export interface JobRecord {
  id: string;
  /** The config's URI. */
  config: string;
  name: string;
  launcher: string;
  gpus: number;
  nodes: number;
  /** "axolotl train qlora.yml · torchrun · 2 GPUs". */
  description: string;
  /** The terminal's (task's) name. */
  taskName: string;
  start: number;
  end?: number;
  exitCode?: number | null;
  state: JobState;
  /** Slurm's final state (COMPLETED, FAILED, TIMEOUT...). */
  slurmState?: string;
  logFile?: string;
  /** The workspace folder's URI, to relaunch the same task. */
  folder?: string;
  definition: FinetuneTaskDefinition;
  step?: number;
  loss?: number;
}

const KEY = 'finetune.jobs';
const CAP = 50;

/** The job history in workspaceState: newest first, at most 50 entries. */
export class JobHistory {
  private jobs: JobRecord[];

  constructor(private readonly memento: vscode.Memento) {
    // A job that was running when the window closed: its process went with the extension host.
    this.jobs = (memento.get<JobRecord[]>(KEY) ?? []).map((j) => (j.state === 'running' ? { ...j, state: 'lost' as const } : j));
  }

  all(): readonly JobRecord[] {
    return this.jobs;
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  add(job: JobRecord): void {
    this.jobs.unshift(job);
    this.jobs.length = Math.min(this.jobs.length, CAP);
    this.save();
  }

  update(id: string, change: Partial<JobRecord>, persist = true): JobRecord | undefined {
    const job = this.get(id);
    if (!job) return undefined;
    Object.assign(job, change);
    if (persist) this.save();
    return job;
  }

  clear(): void {
    this.jobs = this.jobs.filter((j) => j.state === 'running');
    this.save();
  }

  private save(): void {
    void this.memento.update(KEY, this.jobs);
  }
}
