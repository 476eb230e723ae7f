/**
 * Registers a custom element without ever throwing: a host page may load taliq.js twice (two
 * embeds, two versions). The first definition stays; a different one only earns a warning.
 */
export function define(tag: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (!existing) customElements.define(tag, element);
  else if (existing !== element) console.warn(`<${tag}> is already defined (Taliq loaded twice?): keeping the first definition.`);
}
