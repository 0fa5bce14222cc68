import { createServer } from 'node:http';

/**
 * A canned-JSON stand-in for the users/auth REST API, so that the overhead benchmark shows
 * only the gateway's own cost: sessions for any credentials, users for any ids.
 */

const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
// Every answer moves the expiry one second further, as a real sliding session does over
// time, so that activity on one gateway instance produces an EXTENDED event on another.
let slides = 0;
const expiration = () => {
  const d = new Date(Date.now() + 2 * 3600_000 + ++slides * 1_000);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
};
const session = JSON.stringify({
  session: {
    id: 1,
    user_id: 0,
    application_id: 1,
    token: 'bench-app-token',
    nonce: 1,
    ts: 1,
    created_at: now,
    updated_at: now,
  },
});
const user = (id: number) => ({
  id,
  login: `user${id}`,
  email: null,
  full_name: `User ${id}`,
  phone: null,
  website: null,
  created_at: now,
  updated_at: now,
  last_request_at: now,
  external_user_id: null,
  external_id: null,
  facebook_id: null,
  twitter_id: null,
  custom_data: null,
  user_tags: null,
  avatar: null,
  blob_id: null,
  timezone: null,
  is_guest: false,
});

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const headers = { 'content-type': 'application/json', 'cb-token-expirationdate': expiration() };
  req.resume();
  if (url.pathname.startsWith('/session')) {
    res.writeHead(req.method === 'POST' ? 201 : 200, headers).end(session);
    return;
  }
  if (url.pathname.startsWith('/users/v2')) {
    const ids = url.searchParams.getAll('id[in][]').map(Number);
    const items = (ids.length ? ids : [1]).map(user);
    res.writeHead(200, headers).end(JSON.stringify({ limit: 100, skip: 0, total_entries: items.length, items }));
    return;
  }
  res.writeHead(404, headers).end('{"errors":{"base":["Not found"]}}');
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object')
    console.log(`stand-in upstream ready at http://127.0.0.1:${address.port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
