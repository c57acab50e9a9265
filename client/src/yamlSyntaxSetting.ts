/** `finetune.validation.yamlSyntax` as the server gets it. No `vscode` here: unit-tested in plain Node. */
export type YamlSyntaxMode = 'show' | 'leaveToRedHatYaml';

export function resolveYamlSyntax(setting: unknown, redHatYaml: { installed: boolean; validate: boolean }): YamlSyntaxMode {
  if (setting === 'show' || setting === 'leaveToRedHatYaml') return setting;
  // "auto", and anything a hand-edited settings.json may hold.
  return redHatYaml.installed && redHatYaml.validate !== false ? 'leaveToRedHatYaml' : 'show';
}
