// One user action's busy flag and error line: run() clears the error, marks busy, reports a failure
// as a message a clinician can read and always clears busy, so each view need not repeat that.
import { ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { errorMessage } from '../api'

export interface Action {
  busy: Ref<boolean>
  error: Ref<string>
  /** The function's result, or undefined when it failed (the reason is then in `error`). */
  run<T>(fn: () => Promise<T>): Promise<T | undefined>
}

export function useAction(): Action {
  const { t } = useI18n()
  const busy = ref(false)
  const error = ref('')

  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    error.value = ''
    try {
      return await fn()
    } catch (e) {
      error.value = errorMessage(e, t('common.unexpectedError'))
      return undefined
    } finally {
      busy.value = false
    }
  }

  return { busy, error, run }
}
