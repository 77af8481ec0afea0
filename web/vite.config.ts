import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { TYPE, parse, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { build as rolldownBuild } from 'rolldown';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { COMPILED_TEXT, COMPILED_TREE } from './src/i18n/icu-format.js';
import { isLateKey } from './src/i18n/late-prefixes.js';

const OUT = path.resolve(import.meta.dirname, '..', 'dist', 'web');
/** The chunks the board loads after its first paint (see build.modulePreload). */
const LATE_BOARD_PARTS = /\/(filter-controls|board-dnd|notification-centre|notifications)-[\w-]+\.js$/;

/**
 * The message catalogs (src/i18n/en.ts, ru.ts) compiled: each ICU message becomes its syntax tree (or its text when it
 * has no arguments), so the app formats them without the ICU parser (~12 KB gzip), which stays out of the bundle.
 * The messages of the pages that src/i18n/late-prefixes.ts names (isLateKey) are left out of the catalog the app boots
 * with and become a module of their own per language (`virtual:dealflow-messages/late-<locale>`, a chunk of its own named so), loaded with those
 * pages (src/i18n/late.ts), so the board does not carry them.
 */
function compileMessages(): Plugin {
  const CATALOG = /[\\/]web[\\/]src[\\/]i18n[\\/](en|ru)\.ts$/;
  const LATE_ID = 'virtual:dealflow-messages/late-';
  const strip = (els: MessageFormatElement[]): unknown =>
    JSON.parse(JSON.stringify(els, (k, v: unknown) => (k === 'location' ? undefined : v)));
  /** A catalog compiled, split into what the app boots with and what its late pages bring. */
  async function compiled(locale: string): Promise<{ boot: object; late: object }> {
    const file = path.resolve(import.meta.dirname, 'src', 'i18n', `${locale}.ts`);
    // Node strips the catalog's types itself; the file's mtime in the URL reads a changed catalog again
    const url = `${pathToFileURL(file).href}?v=${fs.statSync(file).mtimeMs}`;
    const mod = (await import(url)) as Record<string, Record<string, string>>;
    const all = Object.entries(mod[locale]).map(([key, msg]) => {
      const ast = parse(msg, { ignoreTag: true, locale: new Intl.Locale(locale) });
      const text = ast.length === 0 ? '' : ast.length === 1 && ast[0].type === TYPE.literal ? ast[0].value : null;
      return [key, text !== null ? COMPILED_TEXT + text : COMPILED_TREE + JSON.stringify(strip(ast))] as const;
    });
    return {
      boot: Object.fromEntries(all.filter(([k]) => !isLateKey(k))),
      late: Object.fromEntries(all.filter(([k]) => isLateKey(k))),
    };
  }
  return {
    name: 'dealflow-compile-messages',
    enforce: 'post',
    resolveId(id) {
      return id.startsWith(LATE_ID) ? `\0${id}` : null;
    },
    async load(id) {
      if (!id.startsWith(`\0${LATE_ID}`)) return null;
      const { late } = await compiled(id.slice(LATE_ID.length + 1));
      return `export const messages = ${JSON.stringify(late)};\n`;
    },
    async transform(_code, id) {
      const m = CATALOG.exec(id);
      if (!m) return null;
      const { boot } = await compiled(m[1]);
      return { code: `export const ${m[1]} = ${JSON.stringify(boot)};\n`, map: null };
    },
  };
}

/** Writes a .br and a .gz beside every text asset, so the server sends them without compressing per request. */
function precompress(): Plugin {
  return {
    name: 'dealflow-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        fs
          .readdirSync(dir, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(OUT)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(file)) continue;
        const data = fs.readFileSync(file);
        if (data.length < 512) continue;
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(data, {
            params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
          }),
        );
      }
    },
  };
}

/**
 * The early boot script (src/boot/early.ts): built on its own as a small classic script (an IIFE, no imports), written
 * as a hashed asset and put first in the page's head, so the browser runs it while it parses the page and the boot's
 * reads go out before the app's code has even loaded. A file of its own, not inline: the page's CSP allows scripts
 * from the origin only. (The dev server goes without it: the app then asks for the same reads itself.)
 */
function earlyBoot(): Plugin {
  const SOURCE = path.resolve(import.meta.dirname, 'src', 'boot', 'early.ts');
  let code = '';
  return {
    name: 'dealflow-early-boot',
    apply: 'build',
    async buildStart() {
      const out = await rolldownBuild({
        input: SOURCE,
        write: false,
        platform: 'browser',
        resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
        output: { format: 'iife', minify: true },
      });
      code = out.output[0].code;
      this.addWatchFile(SOURCE);
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const asset = Object.values(ctx.bundle ?? {}).find((f) => f.type === 'asset' && f.names.includes('boot.js'));
        return asset ? [{ tag: 'script', attrs: { src: `/${asset.fileName}` }, injectTo: 'head-prepend' }] : [];
      },
    },
    generateBundle(_options, bundle) {
      // the catalogs' chunks (src/i18n/en.ts, ru.ts), which the script has the browser load beside the app's code
      const catalogs: Record<string, string> = {};
      for (const f of Object.values(bundle)) {
        const m = f.type === 'chunk' && f.facadeModuleId ? /[\\/]i18n[\\/](en|ru)\.ts$/.exec(f.facadeModuleId) : null;
        if (m) catalogs[m[1]] = `/${f.fileName}`;
      }
      const source = code.replace('__DEALFLOW_CATALOG_FILES__', JSON.stringify(catalogs));
      if (source === code) this.error('the early boot script does not name the catalogs');
      this.emitFile({ type: 'asset', name: 'boot.js', source });
    },
  };
}

export default defineConfig({
  root: path.resolve(import.meta.dirname),
  plugins: [earlyBoot(), compileMessages(), react(), precompress()],
  // the messages come compiled (compileMessages): intl-messageformat without its parser
  resolve: {
    alias: [
      {
        find: /^@formatjs\/icu-messageformat-parser$/,
        replacement: fileURLToPath(import.meta.resolve('@formatjs/icu-messageformat-parser/no-parser.js')),
      },
    ],
  },
  build: {
    outDir: OUT,
    emptyOutDir: true,
    modulePreload: {
      // the parts the board loads after its first paint (filter-controls, board-dnd, the notifications) are not
      // preloaded link by link: adding a score of <link rel=modulepreload> is one long task right after the first
      // paint; the browser loads their imports itself, a few at a time
      resolveDependencies: (file, deps) => (LATE_BOARD_PARTS.test(file) ? [] : deps),
    },
    rolldownOptions: {
      output: {
        // what the entry imports statically is one chunk with it, not a dozen small shared ones: gzip compresses it
        // as a whole and the browser asks for it at once
        codeSplitting: { groups: [{ name: 'shell', tags: ['$initial'] }] },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
