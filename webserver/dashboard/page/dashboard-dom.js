// Building the page's nodes. Every node is built with textContent (never innerHTML): the data holds
// callback URLs, keys and error texts of any client.

export const $ = (id) => document.getElementById(id);

/** el('td', {className: 'num'}, 'text', childNode, ...) */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return node;
}

export const fill = (node, ...children) => node.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
export const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');
export const none = () => el('p', { className: 'note' }, 'none');

/** A table with a header row and one row per item: cells(item) gives the row's cells. */
export function table(className, headings, items, rowClass, cells) {
  return el(
    'table',
    { className },
    el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...items.map((item) => el('tr', { className: rowClass(item) }, ...cells(item)))),
  );
}
