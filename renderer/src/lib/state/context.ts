import { getContext, hasContext, setContext } from 'svelte';
import type { AppState } from './app.svelte.js';

// Private, so the app state is reached only through these two functions and always has its type.
const APP_KEY = Symbol('opscope.app');

/** Makes the app state available to every component below the caller; called once, by the root. */
export function provideApp(app: AppState): AppState {
  return setContext(APP_KEY, app);
}

/** The app state provided by the root; a component rendered outside it is a programming error. */
export function useApp(): AppState {
  if (!hasContext(APP_KEY)) throw new Error('useApp() was called in a component outside the app: the root component must call provideApp(app) first.');
  return getContext<AppState>(APP_KEY);
}
