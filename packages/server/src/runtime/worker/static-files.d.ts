/** Built by rollup.config.mjs (embedStaticFiles): dist/ bundles and pages, base64, by name. */
declare module 'taliq:static-files' {
  const files: Record<string, { base64: string; type: string }>;
  export default files;
}
