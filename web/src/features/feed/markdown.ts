/**
 * Markdown of posts and comments, rendered safely: marked turns it into HTML with raw HTML in the text escaped (never
 * passed through), mentions `@[Name](id)` become a mention chip, and DOMPurify then keeps only harmless elements and
 * attributes (no script, no event handlers, no javascript: or data: links). Links open in a new tab with
 * rel="noopener noreferrer nofollow". The strict Content-Security-Policy the server sends is the second wall.
 */
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const SAFE_URL = /^(https?:|mailto:|tel:|\/(?!\/)|#)/i;

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // raw HTML in a post is text, not markup
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    link({ href, title, tokens }: Tokens.Link) {
      const text = this.parser.parseInline(tokens);
      if (!SAFE_URL.test(href.trim())) return text;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${t} target="_blank" rel="noopener noreferrer nofollow">${text}</a>`;
    },
    image({ text }: Tokens.Image) {
      // images are not loaded from anywhere a post names: their text stays
      return escapeHtml(text);
    },
  },
  extensions: [
    {
      name: 'mention',
      level: 'inline',
      start: (src: string) => src.indexOf('@['),
      tokenizer(src: string) {
        const m = /^@\[([^\]\n]{1,200})\]\(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/i.exec(src);
        return m ? { type: 'mention', raw: m[0], name: m[1], id: m[2] } : undefined;
      },
      renderer: (token) =>
        `<span class="mention" data-user-id="${escapeHtml(String(token.id))}">@${escapeHtml(String(token.name))}</span>`,
    },
  ],
});

const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'span',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'input',
];
const ALLOWED_ATTR = [
  'href',
  'title',
  'target',
  'rel',
  'class',
  'data-user-id',
  'type',
  'checked',
  'disabled',
  'align',
];

let hooked = false;
function purify(html: string): string {
  if (!hooked) {
    hooked = true;
    // whatever survived: links open apart from the app, and only to safe schemes
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') ?? '';
        if (!SAFE_URL.test(href.trim())) node.removeAttribute('href');
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
  }
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false });
}

/** The HTML of a post's or comment's Markdown, safe to put into the page. */
export function renderMarkdown(text: string): string {
  return purify(marked.parse(text) as string);
}
