type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (data-*, aria-*, class, …) and children; strings become text, never HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) {
      continue;
    }

    element.setAttribute(name, value === true ? "" : String(value));
  }

  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child);
    }
  }

  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error(`no element #${id}`);
  }

  return element as T;
}

export const clock = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

export function lastSeenText(ms: number): string {
  const date = new Date(ms);
  const today = new Date();
  const day = date.toDateString() === today.toDateString() ? "today" : date.toLocaleDateString();
  return `last seen ${day} at ${clock(ms)}`;
}
