/**
 * The two modules the script-tag build makes up (scripts/chunks.mjs): what the loader hands
 * the chunks, and what the chunk pass tells the loader.
 */

/** Given to every chunk by the loader (src/loader/registry.ts): the loader's own `<script>`. */
declare module 'care-widgets:context' {
  /** The `<script>` that ran the loader: its `data-care-*` settings, and the URL the chunks and languages sit beside. */
  export const script: HTMLScriptElement | null;
}

/** Written by the chunk pass: every chunk, its SRI hash and imports, and which chunk defines which element. */
declare module 'care-widgets:manifest' {
  /** `[id, sri, indexes of the chunks it imports]`; the file is `<id>.js` beside the loader. */
  export const chunks: [id: string, sri: string, imports: number[]][];
  /** The index of the core chunk (lit, the client, `<care-page>`, `CareWidgets`' functions). */
  export const core: number;
  /** Each element's own chunk, by index. */
  export const tags: Record<string, number>;
  /** The global the chunks call to define themselves. */
  export const define: string;
}
