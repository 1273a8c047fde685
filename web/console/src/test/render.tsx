import { render, type ComponentChildren } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach } from 'vitest';

const mounted: HTMLElement[] = [];

afterEach(() => {
  for (const root of mounted.splice(0)) {
    act(() => render(null, root));
    root.remove();
  }
});

/** Renders into a fresh element attached to the document; unmounted after each test. */
export function mount(ui: ComponentChildren): HTMLElement {
  const root = document.createElement('div');
  document.body.append(root);
  mounted.push(root);
  act(() => render(ui, root));
  return root;
}

/** The control labelled `text`, found the way assistive technology finds it. */
export function byLabel<T extends HTMLElement = HTMLElement>(root: HTMLElement, text: string): T {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === text);
  const control = label?.htmlFor ? root.querySelector<T>(`#${label.htmlFor}`) : null;
  if (!control) throw new Error(`no control labelled "${text}"`);
  return control;
}

export function button(root: HTMLElement, name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => b.textContent === name);
  if (!found) throw new Error(`no button "${name}"`);
  return found;
}

/** Types into an input the way a user does: value, then an input event. */
export function type(control: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  act(() => {
    control.value = value;
    control.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

/** Lets pending promises settle and re-renders flush. */
export async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}
