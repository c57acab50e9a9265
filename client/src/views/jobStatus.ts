import * as vscode from 'vscode';
import type { JobManager } from '../jobs/manager';

/**
 * "$(loading~spin) qlora.yml · step 120 · loss 1.23" while a job runs. A click shows its loss chart once a metric has
 * arrived (its terminal before that); the tooltip offers both.
 */
export class JobStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('finetune.job', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly jobs: JobManager) {
    this.item.name = 'Fine-Tune Training Job';
    this.subscription = jobs.onDidChange(() => this.render());
    this.render();
  }

  private render(): void {
    const running = this.jobs.running();
    const job = running[0];
    if (!job) {
      this.item.hide();
      return;
    }
    const parts = [`$(loading~spin) ${job.name}`];
    if (job.step !== undefined) parts.push(`step ${job.step}`);
    if (job.loss !== undefined) parts.push(`loss ${job.loss.toPrecision(3)}`);
    this.item.text = parts.join(' · ') + (running.length > 1 ? ` (+${running.length - 1})` : '');
    const metrics = job.step !== undefined;
    const tooltip = new vscode.MarkdownString(
      `${job.description}\n\n${metrics ? '[$(graph-line) Show Loss Chart](command:finetune.jobs.showLoss) · ' : ''}[$(terminal) Show Terminal](command:finetune.jobs.showTerminal)`,
      true,
    );
    tooltip.isTrusted = { enabledCommands: ['finetune.jobs.showLoss', 'finetune.jobs.showTerminal'] };
    this.item.tooltip = tooltip;
    this.item.command = metrics
      ? { command: 'finetune.jobs.showLoss', title: 'Show Loss Chart', arguments: [job] }
      : { command: 'finetune.jobs.showTerminal', title: 'Show Terminal', arguments: [job] };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
