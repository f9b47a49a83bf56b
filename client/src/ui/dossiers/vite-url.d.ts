// Vite's `?url` imports (an asset's URL after the build), used for pdf.js's worker (pdf-preview.ts).
declare module "*?url" {
  const url: string;
  export default url;
}
