/**
 * A small strict XML reader for the crawler files and feeds: elements, attributes, text and the
 * five entities plus character references; an XML declaration first. Anything not well-formed
 * (unbalanced tags, a bare & or <, a character XML does not allow) throws, naming where.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, entities decoded (its children's not included). */
  text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ALLOWED = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(text: string, at: number): string {
  if (text.includes("<")) throw new Error(`a bare "<" near offset ${at}`);
  return text.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(";")) throw new Error(`a bare "&" near offset ${at}`);
    if (ref in ENTITIES) return ENTITIES[ref];
    const code = /^#x([0-9a-f]+)$/i.exec(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? Number(ref.slice(1)) : NaN;
    if (Number.isNaN(code)) throw new Error(`unknown entity &${ref}; near offset ${at}`);
    const char = String.fromCodePoint(code);
    if (!ALLOWED.test(char)) throw new Error(`character reference &${ref}; is not allowed in XML`);
    return char;
  });
}

export function parseXml(source: string): XmlElement {
  if (!ALLOWED.test(source)) throw new Error("the document holds a character XML does not allow");
  const declaration = /^<\?xml [^?]*\?>\s*/.exec(source);
  if (!declaration) throw new Error("no XML declaration");
  let i = declaration[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const text = source.slice(i, lt === -1 ? source.length : lt);
    if (stack.length > 0) stack[stack.length - 1].text += decode(text, i);
    else if (text.trim() !== "") throw new Error(`text outside the root element at offset ${i}`);
    if (lt === -1) break;
    const gt = source.indexOf(">", lt);
    if (gt === -1) throw new Error(`an unclosed tag at offset ${lt}`);
    const tag = source.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`</${tag.slice(1)}> closes <${open?.name}> at offset ${lt}`);
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = NAME.exec(body)?.[0];
    if (!name) throw new Error(`a tag with no name at offset ${lt}`);
    const attributes: Record<string, string> = {};
    let rest = body.slice(name.length);
    while (rest.trim() !== "") {
      const attribute = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest);
      if (!attribute) throw new Error(`a malformed attribute in <${name}> at offset ${lt}`);
      if (attribute[1] in attributes) throw new Error(`attribute ${attribute[1]} twice in <${name}>`);
      attributes[attribute[1]] = decode(attribute[3] ?? attribute[4], lt);
      rest = rest.slice(attribute[0].length);
    }
    const element: XmlElement = { name, attributes, children: [], text: "" };
    if (stack.length > 0) stack[stack.length - 1].children.push(element);
    else if (root) throw new Error(`a second root element <${name}>`);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error("no root element");
  return root;
}

/** The element's children of that name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** The text of the element's first child of that name; throws when there is none. */
export function childText(element: XmlElement, name: string): string {
  const child = element.children.find((candidate) => candidate.name === name);
  if (!child) throw new Error(`<${element.name}> has no <${name}>`);
  return child.text;
}
