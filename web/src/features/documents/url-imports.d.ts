/** Vite's `?url` imports: the URL of the asset as built. */
declare module '*?url' {
  const url: string;
  export default url;
}
