/** The late messages of a language, split off its catalog at build (web/vite.config.ts). */
declare module 'virtual:dealflow-messages/*' {
  export const messages: Record<string, string>;
}
