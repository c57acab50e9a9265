import * as vscode from 'vscode';

/** What one step of a multi-step quick pick answers: an item, Back, or nothing (cancelled). */
export const BACK = Symbol('back');
export type StepAnswer<T> = T | typeof BACK | undefined;

export interface StepOptions<T extends vscode.QuickPickItem> {
  title: string;
  step: number;
  totalSteps: number;
  placeholder: string;
  items: readonly T[];
  /** The item to focus first (e.g. the one chosen before going Back). */
  active?: (item: T) => boolean;
  /**
   * Called with the accepted item; return false to keep the pick open (e.g. an item shown only to explain why it
   * is not offered). May show its own messages.
   */
  accept?: (item: T) => boolean | Promise<boolean>;
  /** Items computed from what is typed (shown above the others, e.g. "Use the model id 'org/name'"). */
  typed?: (value: string) => T[];
  matchOnDetail?: boolean;
}

/**
 * One step of a guided flow: a quick pick titled "<title>: Step i/n" with a Back button from step 2 on.
 * Stays open when focus moves to a notification, so an explanation does not end the flow.
 */
export function pickStep<T extends vscode.QuickPickItem>(o: StepOptions<T>): Promise<StepAnswer<T>> {
  const qp = vscode.window.createQuickPick<T>();
  // The step is in the title (not qp.step/totalSteps, which VS Code would append as "(i/n)" a second time).
  qp.title = `${o.title}: Step ${o.step}/${o.totalSteps}`;
  qp.placeholder = o.placeholder;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = true;
  qp.matchOnDetail = o.matchOnDetail ?? true;
  qp.buttons = o.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  qp.items = o.items;
  const active = o.active ? o.items.find((i) => i.kind !== vscode.QuickPickItemKind.Separator && o.active!(i)) : undefined;
  if (active) qp.activeItems = [active];

  return new Promise<StepAnswer<T>>((resolve) => {
    let done = false;
    let busy = false;
    const finish = (answer: StepAnswer<T>) => {
      if (done) return;
      done = true;
      resolve(answer);
      qp.dispose();
    };
    const subscriptions = [
      qp.onDidTriggerButton((b) => {
        if (b === vscode.QuickInputButtons.Back) finish(BACK);
      }),
      qp.onDidChangeValue((value) => {
        if (!o.typed) return;
        const extra = o.typed(value);
        qp.items = [...extra, ...o.items];
      }),
      qp.onDidAccept(async () => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (!item || busy) return;
        if (o.accept) {
          busy = true;
          qp.busy = true;
          try {
            if (!(await o.accept(item))) {
              qp.selectedItems = [];
              return;
            }
          } finally {
            busy = false;
            if (!done) qp.busy = false;
          }
        }
        finish(item);
      }),
      qp.onDidHide(() => finish(undefined)),
    ];
    qp.onDidHide(() => {
      for (const s of subscriptions) s.dispose();
    });
    qp.show();
  });
}

/** A separator row in a quick pick. */
export function separator<T extends vscode.QuickPickItem>(label: string): T {
  return { label, kind: vscode.QuickPickItemKind.Separator } as T;
}
