// The labelling view's keyboard: 1–9 choose, Enter/→ accept, ← back, S skip, A accept the model's
// suggestion, Ctrl+Z undo, Ctrl+Shift+Z (or Ctrl+Y) redo. Keys typed into a field or pressed
// while a dialog is open are left alone.
import { onBeforeUnmount, onMounted } from 'vue'
import type { useLabellingStore } from '../stores/labelling-store'

type Session = ReturnType<typeof useLabellingStore>

/** True when the key goes to a text field, so it must not label. */
export function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName))
}

export function useLabellingKeys(session: Session, acceptSuggestion: () => void): void {
  function onKey(event: KeyboardEvent) {
    if (event.defaultPrevented || event.altKey || typing(event.target)) return
    if (document.querySelector('[role="dialog"]')) return
    const key = event.key
    const mod = event.ctrlKey || event.metaKey
    if (mod && key.toLowerCase() === 'z') {
      event.preventDefault()
      void (event.shiftKey ? session.redo() : session.undo())
    } else if (mod && key.toLowerCase() === 'y') {
      event.preventDefault()
      void session.redo()
    } else if (mod) {
      return
    } else if (/^[1-9]$/.test(key)) {
      event.preventDefault()
      void session.choose(Number(key))
    } else if (key === 'Enter' || key === 'ArrowRight') {
      // Enter on a focused button should press that button, not accept twice.
      if (key === 'Enter' && (event.target as HTMLElement | null)?.tagName === 'BUTTON') return
      event.preventDefault()
      void session.accept()
    } else if (key === 'ArrowLeft') {
      event.preventDefault()
      void session.back()
    } else if (key === 's' || key === 'S') {
      event.preventDefault()
      void session.skip()
    } else if (key === 'a' || key === 'A') {
      event.preventDefault()
      acceptSuggestion()
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
