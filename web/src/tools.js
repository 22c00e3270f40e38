// Loads the console's second wasm module (the AWS CLI and Terraform, web/tools) once, on first
// use. Trunk builds it beside index.html under fixed names; resolving against the document keeps
// the console working from any sub-path.
let loading;

export function loadTools() {
  if (!loading) {
    loading = (async () => {
      const base = document.baseURI;
      const tools = await import(new URL('kms-console-tools.js', base).href);
      await tools.default({ module_or_path: new URL('kms-console-tools_bg.wasm', base) });
      return tools;
    })();
    // A failed load (offline, a deploy in progress) is tried again next time.
    loading.catch(() => { loading = undefined; });
  }
  return loading;
}
