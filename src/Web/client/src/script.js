// Loads a library's script once, on first need, and resolves to the global it defines.
const loading = new Map();

export function loadScript(src, global) {
  if (window[global]) return Promise.resolve(window[global]);
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window[global]);
      script.onerror = () => { loading.delete(src); reject(new Error(src + " did not load")); };
      document.head.append(script);
    }));
  }
  return loading.get(src);
}
