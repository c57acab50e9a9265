import { relative } from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-types';
import { CODE_TITLES, codeDescriptionUrl, fixesOf, severityName, type Code } from '../core/config';

export interface FileReport {
  file: string;
  diagnostics: Diagnostic[];
}

/** The `--format json` item of DESIGN §6.1 (0-based positions, like LSP). */
export interface JsonProblem {
  file: string;
  range: Diagnostic['range'];
  severity: 'error' | 'warning' | 'information' | 'hint';
  code: string;
  source: string;
  message: string;
  fixable: boolean;
}

export function toJsonProblems(reports: FileReport[]): JsonProblem[] {
  return reports.flatMap((r) =>
    r.diagnostics.map((d) => ({
      file: r.file,
      range: d.range,
      severity: severityName(d.severity),
      code: String(d.code ?? ''),
      source: d.source ?? 'finetune',
      message: d.message,
      fixable: fixesOf(d).some((f) => f.preferred),
    })),
  );
}

/** `path:line:col: severity CODE message` (1-based), which terminals and editors turn into links. */
export function formatText(reports: FileReport[], checked: number, configs: number, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let fixable = 0;
  for (const p of toJsonProblems(reports)) {
    if (p.severity === 'error') errors++;
    else if (p.severity === 'warning') warnings++;
    if (p.fixable) fixable++;
    const sev = p.severity === 'error' ? paint('31', 'error') : p.severity === 'warning' ? paint('33', 'warning') : paint('36', p.severity);
    lines.push(
      `${p.file}:${p.range.start.line + 1}:${p.range.start.character + 1}: ${sev} ${paint('2', p.code)} ${p.message}${p.fixable ? paint('2', ' [fixable]') : ''}`,
    );
  }
  const files = `${configs} config file${configs === 1 ? '' : 's'} (${checked} file${checked === 1 ? '' : 's'} read)`;
  if (!errors && !warnings && !lines.length) lines.push(`No problems in ${files}.`);
  else
    lines.push(
      '',
      `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files}${fixable ? `; ${fixable} fixable with a quick fix` : ''}.`,
    );
  return `${lines.join('\n')}\n`;
}

/** A relative path as a SARIF `uri-reference`: each segment percent-encoded (a space, `#` or `%` in a file name
 *  would otherwise make another URI, or none). */
function sarifUri(path: string): string {
  return path
    .split(/[\\/]/)
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

/** SARIF 2.1.0 for GitHub code scanning: 1-based lines and columns, file URIs relative to the working folder. */
export function formatSarif(reports: FileReport[], version: string, cwd: string): string {
  const problems = toJsonProblems(reports);
  const ruleIds = [...new Set(problems.map((p) => p.code))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ftw',
            fullName: 'Fine-Tune Workbench',
            version,
            informationUri: 'https://github.com/finetune-workbench/finetune-workbench',
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: CODE_TITLES[id as Code] ?? id },
              helpUri: codeDescriptionUrl(id),
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: problems.map((p) => ({
          ruleId: p.code,
          ruleIndex: ruleIds.indexOf(p.code),
          level: SARIF_LEVEL[p.severity],
          message: { text: p.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: sarifUri(relative(cwd, p.file) || p.file) },
                region: {
                  startLine: p.range.start.line + 1,
                  startColumn: p.range.start.character + 1,
                  endLine: p.range.end.line + 1,
                  endColumn: p.range.end.character + 1,
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

const GITHUB_COMMAND = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' } as const;

/** A workflow command's message: `%`, CR and LF escaped (GitHub's runner decodes %25, %0D, %0A). */
function githubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: also `:` and `,`, which end a value. */
function githubProperty(s: string): string {
  return githubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`), one per problem: the runner shows
 *  them as annotations on the pull request's diff. 1-based lines and columns, paths relative to the working folder
 *  (the checkout's root in a workflow). Ends with the text summary line, which the runner prints as is. */
export function formatGithub(reports: FileReport[], checked: number, configs: number, cwd: string): string {
  const lines = toJsonProblems(reports).map((p) => {
    const props = [
      `file=${githubProperty(relative(cwd, p.file).split('\\').join('/') || p.file)}`,
      `line=${p.range.start.line + 1}`,
      `col=${p.range.start.character + 1}`,
      `endLine=${p.range.end.line + 1}`,
      `endColumn=${p.range.end.character + 1}`,
      `title=${githubProperty(`${p.code}${CODE_TITLES[p.code as Code] ? ` ${CODE_TITLES[p.code as Code]}` : ''}`)}`,
    ];
    return `::${GITHUB_COMMAND[p.severity]} ${props.join(',')}::${githubData(`${p.message}${p.fixable ? ' [fixable: ftw fix]' : ''}`)}`;
  });
  const summary = formatText(reports, checked, configs, false).trimEnd().split('\n').pop()!;
  return `${[...lines, summary].join('\n')}\n`;
}
