import type * as vscode from 'vscode';

const KEY = 'finetune.formatOverrides';

/** The formats users chose per file in the status bar switcher, remembered per workspace. */
export class FormatOverrides {
  constructor(private readonly state: vscode.Memento) {}

  all(): Record<string, string> {
    return { ...this.state.get<Record<string, string>>(KEY, {}) };
  }

  get(uri: string): string | undefined {
    return this.all()[uri];
  }

  async set(uri: string, format: string | null): Promise<void> {
    const next = this.all();
    if (format) next[uri] = format;
    else delete next[uri];
    await this.state.update(KEY, next);
  }
}
