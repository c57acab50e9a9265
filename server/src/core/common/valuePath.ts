/** Where a value sits in a loaded config: keys and list indexes from the top. Every feature names places this way;
 *  the YAML AST helpers that resolve a path to text (config/ast.ts) stay with the config feature. */
export type ValuePath = Array<string | number>;
