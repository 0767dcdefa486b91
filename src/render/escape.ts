// Log-derived text is attacker-controlled (a subject, host or domain can hold `<script>`): every
// string that reaches HTML/SVG or Markdown goes through one of these.

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML/SVG element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}

/**
 * Text for Markdown, always placed after other text on its line: the punctuation that Markdown
 * or inline HTML could act on there (emphasis, code, links, tables, tags, entities) is
 * backslash-escaped (CommonMark renders `\<` as `<`), and line breaks become spaces so a value
 * cannot start a new block or table row.
 */
export function escapeMarkdown(value: unknown): string {
  return String(value ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}
