/**
 * The dashboard's keyboard shortcuts, as a pure function of a key event.
 * Keys are read as typed (`key`) when that is a Latin letter or `/`, else from the physical key
 * (`code`), so j/k/a/r/s/x and / work the same on an Arabic or a French (AZERTY) layout.
 */
export type Shortcut = 'next' | 'previous' | 'approve' | 'reject' | 'spam' | 'toggle' | 'search';

const BY_KEY: Record<string, Shortcut> = {
  j: 'next',
  k: 'previous',
  a: 'approve',
  r: 'reject',
  s: 'spam',
  x: 'toggle',
  '/': 'search',
};
const BY_CODE: Record<string, string> = { KeyJ: 'j', KeyK: 'k', KeyA: 'a', KeyR: 'r', KeyS: 's', KeyX: 'x', Slash: '/' };

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
}

/** The element where typing happens: text fields, selects, editable content. */
export function isTypingTarget(el: Element | null | undefined): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes((el as HTMLInputElement).type);
  return (el as HTMLElement).isContentEditable === true;
}

/** The shortcut a key press means, or null (modifiers held, composing, or not a shortcut). */
export function shortcutFor(e: KeyLike, typing: boolean): Shortcut | null {
  if (typing || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return null;
  const key = /^[a-z/]$/i.test(e.key) ? e.key.toLowerCase() : (BY_CODE[e.code ?? ''] ?? '');
  // Shift+letter is not a shortcut (it may be the start of typing elsewhere); '/' may need Shift on some layouts.
  if (key !== '/' && e.key !== e.key.toLowerCase()) return null;
  return BY_KEY[key] ?? null;
}
