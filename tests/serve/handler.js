// tests/serve/handler.js - the JavaScript wasi:http handler of tests/serve/test_serve_js.py,
// componentized by `jco componentize -n wasi:http/proxy` (service-worker style):
// GET / (text), GET /api/sum?a=N&b=M (JSON), POST /echo (the body back), else 404.
addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
async function handle(req) {
  const url = new URL(req.url);
  if (url.pathname === '/api/sum') {
    const a = Number(url.searchParams.get('a') || 0), b = Number(url.searchParams.get('b') || 0);
    return new Response(JSON.stringify({ sum: a + b }) + '\n', { headers: { 'content-type': 'application/json' } });
  }
  if (url.pathname === '/echo' && req.method === 'POST') {
    const body = await req.arrayBuffer();
    return new Response(body, { headers: { 'content-type': 'application/octet-stream' } });
  }
  if (url.pathname === '/') {
    return new Response('hello from JavaScript\n', { headers: { 'content-type': 'text/plain' } });
  }
  return new Response('not found\n', { status: 404, headers: { 'content-type': 'text/plain' } });
}
