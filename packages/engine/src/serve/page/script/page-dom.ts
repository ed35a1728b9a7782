/**
 * The few DOM members the live page uses, typed here: the engine compiles
 * with Node's types only (adding `lib: dom` to the program changes the
 * types of the embed layer's endpoints), so the page declares what it
 * touches and reads it from `globalThis`. These modules run in the browser
 * only; `tidemark serve` sends them as built.
 */
import type { WebSocketLike } from '../../../embed/websocket-endpoint.js';

export interface PageEvent {
  preventDefault(): void;
}

export interface PageElement {
  textContent: string | null;
  hidden: boolean;
  readonly dataset: Record<string, string | undefined>;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
  replaceChildren(...children: PageElement[]): void;
}

/** An `<input>`, `<select>`, `<option>` or `<button>`. */
export interface PageControl extends PageElement {
  value: string;
  disabled: boolean;
}

export interface PageWindow {
  readonly document: {
    getElementById(id: string): PageElement | null;
    createElement(tag: string): PageControl;
  };
  readonly location: { readonly protocol: string; readonly host: string; readonly search: string };
  readonly WebSocket: new (url: string) => WebSocketLike;
  setInterval(run: () => void, ms: number): number;
  clearInterval(id: number): void;
}

/** The browser's window, as far as the page uses it. */
export const page = globalThis as unknown as PageWindow;

/** The element with id `id`; the page's HTML has every one the script asks for. */
export function byId<T extends PageElement = PageElement>(id: string): T {
  const element = page.document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** Set an element's text and, for tests and styles, its raw value. */
export function show(element: PageElement, text: string, value?: number): void {
  if (element.textContent !== text) element.textContent = text;
  if (value === undefined) delete element.dataset.value;
  else element.dataset.value = String(value);
}
