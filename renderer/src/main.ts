import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { createApi } from './lib/api/index.js';
import { AppState, THEME_KEY } from './lib/state/app.svelte.js';

// The last theme, applied before the settings arrive, so the window does not flash.
const saved = localStorage.getItem(THEME_KEY);
const prefersDark = window.matchMedia('(prefers-color-scheme: dark)').matches;
document.documentElement.dataset.theme = saved === 'dark' || saved === 'light' ? saved : prefersDark ? 'dark' : 'light';

const { api, ws } = createApi();
const app = new AppState(api, ws);
mount(App, { target: document.getElementById('app')!, props: { app } });
void app.init();
