import * as vscode from 'vscode';
import type { BaseLanguageClient, Middleware, ResponseError } from 'vscode-languageclient/node';
import { DidChangeConfigurationNotification } from 'vscode-languageclient/node';
import { resolveYamlSyntax } from './yamlSyntaxSetting';

/** Red Hat YAML's extension id (Marketplace and Open VSX). */
export const RED_HAT_YAML = 'redhat.vscode-yaml';

/**
 * `finetune.validation.yamlSyntax: "auto"` becomes "leaveToRedHatYaml" for a file when Red Hat YAML is installed
 * and enabled and its `yaml.validate` is on for that file, else "show"; the server only ever sees those two.
 */
export const yamlSyntaxMiddleware: Middleware['workspace'] = {
  configuration: async (params, token, next) => {
    const result = (await next(params, token)) as unknown[] | ResponseError<void>;
    if (!Array.isArray(result)) return result;
    return result.map((value: unknown, i) => {
      const item = params.items[i];
      if (item?.section !== 'finetune' || value === null || typeof value !== 'object') return value;
      const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
      const validation = { ...((value as { validation?: object }).validation ?? {}) } as Record<string, unknown>;
      validation.yamlSyntax = resolveYamlSyntax(validation.yamlSyntax, {
        installed: vscode.extensions.getExtension(RED_HAT_YAML) !== undefined,
        validate: vscode.workspace.getConfiguration('yaml', scope).get<boolean>('validate', true),
      });
      return { ...value, validation };
    });
  },
};

/** The server asks again when Red Hat YAML is installed, removed, enabled or disabled, or `yaml.validate` changes. */
export function watchRedHatYaml(client: BaseLanguageClient): vscode.Disposable {
  let present = vscode.extensions.getExtension(RED_HAT_YAML) !== undefined;
  const resend = () => {
    if (client.isRunning()) void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  };
  return vscode.Disposable.from(
    vscode.extensions.onDidChange(() => {
      const now = vscode.extensions.getExtension(RED_HAT_YAML) !== undefined;
      if (now !== present) resend();
      present = now;
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('yaml.validate')) resend();
    }),
  );
}
