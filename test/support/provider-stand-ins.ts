import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { baseStringUri, oauth1Signature } from '../../src/local-service/providers/oauth1.ts';
import type { ProviderSettings } from '../../src/local-service/providers/settings.ts';

export interface FirebaseSignOptions {
  projectId: string;
  /** Negative for an already expired token. Default one hour, as Firebase issues them. */
  expiresInSeconds?: number;
  /** 'untrusted' signs with a key that is not in the JWKS (but with the trusted key's kid). */
  key?: 'trusted' | 'untrusted';
}

export interface ProviderStandIns {
  settings: ProviderSettings;
  facebook: {
    /** The stand-in's own app: configure it as the application's Facebook app. */
    app: { id: string; secret: string };
    /** A user token for the stand-in's app, or for another app (`appId`), as Facebook issues them. */
    issueToken(user: { id: string; name?: string; email?: string }, options?: { appId?: string }): string;
  };
  twitter: {
    issueToken(user: { id: string; name?: string; screenName?: string }): {
      token: string;
      secret: string;
    };
  };
  firebase: {
    /**
     * Claims override the defaults (iss, aud, iat, exp, auth_time, and `firebase.sign_in_provider`:
     * `phone` with a phone_number claim, else `password`), so tests can break them.
     */
    signIdToken(claims: JWTPayload, options: FirebaseSignOptions): Promise<string>;
    /** How many times the JWKS was fetched, to see caching. */
    jwksFetches(): number;
  };
  cidp: { url: string; issueToken(uid: string | number): string };
  /**
   * Replies no real provider gives, by path prefix: `/not-json/…` (200 HTML), `/empty/…`
   * (200 `{}`), `/error/…` (500), `/hang/…` (never answers).
   */
  broken: { url: string };
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** Starts Facebook, Twitter, Firebase JWKS and CIdP stand-ins on loopback ports. */
export async function startProviderStandIns(): Promise<ProviderStandIns> {
  const servers: Server[] = [];
  const start = async (handler: Handler) => {
    const server = createServer((req, res) => {
      handler(req, res, new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  const facebook = facebookStandIn();
  const twitter = twitterStandIn();
  const firebase = await firebaseStandIn();
  const cidp = cidpStandIn();

  const facebookUrl = await start(facebook.handle);
  const twitterUrl = await start(twitter.handle);
  const firebaseUrl = await start(firebase.handle);
  const cidpUrl = await start(cidp.handle);
  const brokenUrl = await start(handleBroken);

  return {
    settings: {
      facebookGraphUrl: facebookUrl,
      twitterApiUrl: twitterUrl,
      twitterConsumerKey: twitter.consumerKey,
      twitterConsumerSecret: twitter.consumerSecret,
      firebaseJwksUrl: `${firebaseUrl}/jwks`,
    },
    facebook: { app: facebook.app, issueToken: facebook.issueToken },
    twitter: { issueToken: twitter.issueToken },
    firebase: { signIdToken: firebase.signIdToken, jwksFetches: firebase.jwksFetches },
    cidp: { url: `${cidpUrl}/verify`, issueToken: cidp.issueToken },
    broken: { url: brokenUrl },
    async close() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const opaque = () => randomBytes(24).toString('base64url');

/**
 * Graph API for one app: `GET /debug_token?input_token=…&access_token={app-id}|{app-secret}`
 * answers which app a user token was issued for, and `GET /me?fields=…&access_token=…`
 * answers only the requested fields. The stand-in's app has "Require App Secret" switched
 * on, so both need `appsecret_proof` (HMAC-SHA256 of the access token, keyed by the app
 * secret) for its tokens; tokens of other apps are answered without one.
 */
function facebookStandIn() {
  const app = {
    id: String(100_000_000_000 + Math.floor(Math.random() * 1e9)),
    secret: randomBytes(16).toString('hex'),
  };
  const users = new Map<string, { appId: string; user: { id: string; name?: string; email?: string } }>();
  const oauthError = (res: ServerResponse, message: string, code: number) =>
    sendJson(res, 400, { error: { message, type: 'OAuthException', code } });
  const proofMatches = (url: URL, accessToken: string) => {
    const given = Buffer.from(url.searchParams.get('appsecret_proof') ?? '');
    const wanted = Buffer.from(createHmac('sha256', app.secret).update(accessToken).digest('hex'));
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  };

  const handle: Handler = (req, res, url) => {
    if (req.method !== 'GET') return sendJson(res, 404, {});
    const accessToken = url.searchParams.get('access_token') ?? '';
    if (url.pathname === '/debug_token') {
      if (accessToken !== `${app.id}|${app.secret}`) return oauthError(res, 'Invalid OAuth access token.', 190);
      if (!proofMatches(url, accessToken))
        return oauthError(res, 'Invalid appsecret_proof provided in the API argument', 100);
      const issued = users.get(url.searchParams.get('input_token') ?? '');
      if (!issued) {
        return sendJson(res, 200, {
          data: { is_valid: false, error: { code: 190, message: 'Invalid OAuth access token.' } },
        });
      }
      return sendJson(res, 200, {
        data: { app_id: issued.appId, type: 'USER', is_valid: true, user_id: issued.user.id, scopes: ['email'] },
      });
    }
    if (url.pathname !== '/me') return sendJson(res, 404, {});
    const issued = users.get(accessToken);
    if (!issued) return oauthError(res, 'Invalid OAuth access token.', 190);
    // Another app's tokens answer under that app's settings, which need no proof.
    if (issued.appId === app.id && !proofMatches(url, accessToken)) {
      return oauthError(res, 'Invalid appsecret_proof provided in the API argument', 100);
    }
    const fields = (url.searchParams.get('fields') ?? 'id,name').split(',');
    const reply: Record<string, string> = {};
    for (const field of fields) {
      const value = issued.user[field as keyof typeof issued.user];
      if (value !== undefined) reply[field] = value;
    }
    sendJson(res, 200, reply);
  };
  return {
    handle,
    app,
    issueToken(user: { id: string; name?: string; email?: string }, options: { appId?: string } = {}) {
      const token = `EAA${opaque()}`;
      users.set(token, { appId: options.appId ?? app.id, user: { ...user } });
      return token;
    },
  };
}

/**
 * `GET /1.1/account/verify_credentials.json` that checks the OAuth 1.0a request as Twitter
 * does: known consumer, known token, fresh timestamp and nonce, HMAC-SHA1 signature keyed
 * with both secrets over what actually arrived on the wire.
 */
function twitterStandIn() {
  const consumerKey = opaque();
  const consumerSecret = opaque();
  const tokens = new Map<string, { secret: string; user: { id: string; name?: string; screenName?: string } }>();
  const seenNonces = new Set<string>();
  const refuse = (res: ServerResponse, code: number, message: string) =>
    sendJson(res, 401, { errors: [{ code, message }] });

  const handle: Handler = (req, res, url) => {
    if (req.method !== 'GET' || url.pathname !== '/1.1/account/verify_credentials.json') {
      return sendJson(res, 404, {
        errors: [{ code: 34, message: 'Sorry, that page does not exist.' }],
      });
    }
    const oauth = parseOAuthHeader(req.headers.authorization);
    const signature = oauth?.get('oauth_signature');
    const timestamp = Number(oauth?.get('oauth_timestamp'));
    const nonce = oauth?.get('oauth_nonce') ?? '';
    if (
      !oauth ||
      !signature ||
      oauth.get('oauth_consumer_key') !== consumerKey ||
      oauth.get('oauth_signature_method') !== 'HMAC-SHA1' ||
      (oauth.has('oauth_version') && oauth.get('oauth_version') !== '1.0') ||
      !Number.isInteger(timestamp) ||
      Math.abs(Date.now() / 1000 - timestamp) > 300 ||
      nonce === '' ||
      seenNonces.has(nonce)
    ) {
      return refuse(res, 32, 'Could not authenticate you.');
    }
    const issued = tokens.get(oauth.get('oauth_token') ?? '');
    if (!issued) return refuse(res, 89, 'Invalid or expired token.');
    const signed = [...oauth].filter(([key]) => key !== 'oauth_signature');
    const expected = oauth1Signature({
      method: req.method,
      baseUri: baseStringUri(url),
      params: [...url.searchParams, ...signed],
      consumerSecret,
      tokenSecret: issued.secret,
    });
    const given = Buffer.from(signature);
    const wanted = Buffer.from(expected);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return refuse(res, 32, 'Could not authenticate you.');
    }
    seenNonces.add(nonce);
    const { id, name, screenName } = issued.user;
    sendJson(res, 200, { id: Number(id), id_str: id, name, screen_name: screenName });
  };

  return {
    handle,
    consumerKey,
    consumerSecret,
    issueToken(user: { id: string; name?: string; screenName?: string }) {
      const token = `${user.id}-${opaque()}`;
      const secret = opaque();
      tokens.set(token, { secret, user: { ...user } });
      return { token, secret };
    },
  };
}

function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header?.startsWith('OAuth ')) return undefined;
  const params = new Map<string, string>();
  for (const part of header.slice('OAuth '.length).split(',')) {
    const match = /^\s*([^=\s]+)="([^"]*)"\s*$/.exec(part);
    if (!match?.[1] || match[2] === undefined) return undefined;
    params.set(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
  }
  return params;
}

/** Serves a JWKS like Google's securetoken endpoint and signs Firebase-shaped ID tokens. */
async function firebaseStandIn() {
  const trusted = await generateKeyPair('RS256');
  const untrusted = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwks = {
    keys: [{ ...(await exportJWK(trusted.publicKey)), kid, alg: 'RS256', use: 'sig' }],
  };
  let fetches = 0;

  const handle: Handler = (req, res, url) => {
    if (req.method !== 'GET' || url.pathname !== '/jwks') return sendJson(res, 404, {});
    fetches += 1;
    res.setHeader('cache-control', 'public, max-age=3600');
    sendJson(res, 200, jwks);
  };

  return {
    handle,
    jwksFetches: () => fetches,
    async signIdToken(claims: JWTPayload, options: FirebaseSignOptions) {
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: `https://securetoken.google.com/${options.projectId}`,
        aud: options.projectId,
        auth_time: now,
        iat: now,
        exp: now + (options.expiresInSeconds ?? 3600),
        firebase: { sign_in_provider: claims.phone_number ? 'phone' : 'password', identities: {} },
        ...claims,
      };
      const key = options.key === 'untrusted' ? untrusted.privateKey : trusted.privateKey;
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
    },
  };
}

/** A custom identity provider: `GET /verify?token=` → `{"user": {"id": uid}}` or 401. */
function cidpStandIn() {
  const uids = new Map<string, string | number>();
  const handle: Handler = (req, res, url) => {
    if (req.method !== 'GET' || url.pathname !== '/verify') return sendJson(res, 404, {});
    const uid = uids.get(url.searchParams.get('token') ?? '');
    if (uid === undefined) return sendJson(res, 401, { error: 'invalid token' });
    sendJson(res, 200, { user: { id: uid } });
  };
  return {
    handle,
    issueToken(uid: string | number) {
      const token = opaque();
      uids.set(token, uid);
      return token;
    },
  };
}

// Failure shapes a well-behaved provider does not produce.
const handleBroken: Handler = (_req, res, url) => {
  const kind = url.pathname.split('/')[1];
  if (kind === 'hang') return;
  if (kind === 'empty') return sendJson(res, 200, {});
  if (kind === 'error') return sendJson(res, 500, { error: 'internal' });
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<html><body>Service page</body></html>');
};
