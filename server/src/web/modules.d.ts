// Modules the web worker's bundle gets from esbuild (client/build.mjs), not from node_modules' types.
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}

/** Each schema (JSON) with the ajv standalone validator compiled from it (web/schemaFiles.ts types them). */
declare module 'ftw-web:schemas' {
  export const SCHEMAS: Record<string, { schema: object; validator: (data: unknown) => boolean }>;
}
