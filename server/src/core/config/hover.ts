import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Hover, Position } from 'vscode-languageserver-types';
import { contextAt } from './ast';
import { offsetRange } from '../common/diagnostics';
import type { Analysis } from './service';
import { allowedValues, rangeLabel, schemaAt, typeLabel, type JsonSchema } from './schema';
import { callableTable, hydraHover } from './hydra';

/** The markdown shown on hover and in completion documentation for one key. */
export function describeKey(name: string, schema: JsonSchema, tool: string): string {
  const lines: string[] = [`**${name}** \`${typeLabel(schema)}\``];
  if (schema.description) lines.push('', schema.description);
  const facts: string[] = [];
  if (schema.default !== undefined && schema.default !== null) facts.push(`Default: \`${JSON.stringify(schema.default)}\``);
  const range = rangeLabel(schema);
  if (range) facts.push(`Range: ${range}`);
  if (facts.length) lines.push('', facts.join(' · '));
  const allowed = allowedValues(schema).filter((v) => v !== null);
  if (allowed.length) lines.push('', `Allowed: ${allowed.map((v) => `\`${JSON.stringify(v).replace(/^"(.*)"$/, '$1')}\``).join(', ')}`);
  else if (schema.examples?.length) lines.push('', `Common values: ${schema.examples.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (schema.deprecated)
    lines.push(
      '',
      `**Deprecated**${schema['x-ftw-deprecatedSince'] ? ` since ${tool} ${schema['x-ftw-deprecatedSince']}` : ''}${schema['x-ftw-replacement'] ? `: use \`${schema['x-ftw-replacement']}\`` : ''}.`,
    );
  if (schema['x-ftw-plugin']) lines.push('', `Plugin key: needs \`${schema['x-ftw-plugin']}\` under \`plugins:\`.`);
  if (schema['x-ftw-aliasOf']) lines.push('', `Another name for \`${schema['x-ftw-aliasOf']}\`.`);
  if (schema['x-ftw-since']) lines.push('', `_${tool} ${schema['x-ftw-since']}+_`);
  return lines.join('\n');
}

export function hoverAt(textDocument: TextDocument, position: Position, analysis: Analysis): Hover | null {
  const { parsed, schema } = analysis;
  if (!parsed?.doc || !schema) return null;
  if (analysis.detection.format === 'hydra') return hydraHover(textDocument, position, parsed.doc, callableTable(schema));
  const offset = textDocument.offsetAt(position);
  const ctx = contextAt(parsed.doc, offset);
  if (!ctx || !ctx.path.length) return null;
  const keySchema = schemaAt(schema, ctx.path);
  if (!keySchema) return null;
  const last = ctx.path[ctx.path.length - 1];
  const name = typeof last === 'number' ? String(ctx.path[ctx.path.length - 2] ?? '') : last;
  const node = ctx.onKey ? ctx.pair?.key : ctx.scalar;
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return {
    contents: { kind: 'markdown', value: describeKey(name, keySchema, schema['x-ftw-tool'] ?? '') },
    range: r ? offsetRange(textDocument, r[0], r[1]) : undefined,
  };
}
