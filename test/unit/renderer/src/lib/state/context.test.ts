import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Component } from 'svelte';
import { compile } from 'svelte/compiler';
import { render } from 'svelte/server';
import { afterAll, describe, expect, it } from 'vitest';

// The unit suite has no Svelte plugin: these small components are compiled here for the server
// renderer, which runs component initialisation (and so the context) without a DOM.
const require = createRequire(import.meta.url);
const contextModule = resolve('renderer/src/lib/state/context.ts');
const serverRuntime = require.resolve('svelte/internal/server');
const dir = mkdtempSync(join(tmpdir(), 'context-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Props = { app?: { library: { name: string } } };

async function component(name: string, source: string): Promise<Component<Props>> {
  const { js } = compile(source, { generate: 'server', filename: `${name}.svelte` });
  const code = js.code
    .replaceAll("'svelte/internal/server'", JSON.stringify(serverRuntime))
    .replaceAll("'CONTEXT'", JSON.stringify(contextModule));
  const file = join(dir, `${name}.js`);
  writeFileSync(file, code);
  // A module compiled at run time has no type of its own: it is the component the source describes.
  const mod: { default: Component<Props> } = await import(/* @vite-ignore */ pathToFileURL(file).href);
  return mod.default;
}

describe('app state context', () => {
  it('gives a component deep below the root the state the root provided, without a prop', async () => {
    await component('Child', `<script>import { useApp } from 'CONTEXT'; const app = useApp();</script><p>{app.library.name}</p>`);
    await component('Middle', `<script>import Child from './Child.js';</script><section><Child /></section>`);
    const Root = await component(
      'Root',
      `<script>import { provideApp } from 'CONTEXT'; import Middle from './Middle.js'; let { app } = $props(); provideApp(app);</script><Middle />`,
    );
    const { body } = render(Root, { props: { app: { library: { name: 'Cases of the week' } } } });
    expect(body).toContain('<p>Cases of the week</p>');
  });

  it('says what is wrong when a component is rendered outside the app', async () => {
    const Alone = await component('Alone', `<script>import { useApp } from 'CONTEXT'; const app = useApp();</script><p>{app.library.name}</p>`);
    expect(() => render(Alone).body).toThrow(/outside the app: the root component must call provideApp/);
  });
});
