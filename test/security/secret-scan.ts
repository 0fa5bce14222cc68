import { Writable } from 'node:stream';

/**
 * The security suite's secret scan. Every log line of the gateway and the local service (run
 * at `trace`) and every response body the suite receives is kept; every password, token,
 * auth key, auth secret and reset token the suite uses is registered. `leaks()` names each
 * secret found where it must not be: anywhere in a log line, and in any response body except
 * the one that handed it out (a login answers its own token, and only that answer may).
 */

interface Secret {
  value: string;
  kind: string;
  /** Index of the body that issued it, for tokens. */
  issuedIn?: number;
}

export interface Leak {
  kind: string;
  where: string;
}

/** Shorter values would match by chance (a 3-letter password inside an unrelated word). */
const MIN_SECRET_LENGTH = 8;

export class SecretScan {
  readonly lines: string[] = [];
  readonly bodies: { label: string; text: string }[] = [];
  readonly #secrets = new Map<string, Secret>();

  /** A pino destination that keeps every line. */
  logStream(source: string): Writable {
    let rest = '';
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        const text = rest + chunk.toString('utf8');
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) if (line) this.lines.push(`${source}: ${line}`);
        done();
      },
    });
  }

  /** Registers a value that must never show up; answers it, for inline use. */
  secret(value: string, kind: string): string {
    if (value.length < MIN_SECRET_LENGTH)
      throw new Error(`a ${kind} to scan for must have ${MIN_SECRET_LENGTH}+ characters`);
    if (!this.#secrets.has(value)) this.#secrets.set(value, { value, kind });
    return value;
  }

  /** Keeps a response body; tokens it hands out (`"token": "..."`) are secrets from now on. */
  body(label: string, text: string): void {
    const index = this.bodies.push({ label, text }) - 1;
    for (const match of text.matchAll(/"token"\s*:\s*"([^"]+)"/g)) {
      const token = match[1] as string;
      if (token.length >= MIN_SECRET_LENGTH && !this.#secrets.has(token)) {
        this.#secrets.set(token, { value: token, kind: 'session token', issuedIn: index });
      }
    }
  }

  get secretCount(): number {
    return this.#secrets.size;
  }

  leaks(): Leak[] {
    const leaks: Leak[] = [];
    for (const secret of this.#secrets.values()) {
      for (const line of this.lines) {
        if (line.includes(secret.value)) {
          const source = line.slice(0, line.indexOf(': '));
          leaks.push({ kind: secret.kind, where: `log line ${source}: ${excerpt(line, secret.value)}` });
        }
      }
      for (const [index, body] of this.bodies.entries()) {
        if (index !== secret.issuedIn && body.text.includes(secret.value)) {
          leaks.push({ kind: secret.kind, where: `body of ${body.label}: ${excerpt(body.text, secret.value)}` });
        }
      }
    }
    return leaks;
  }
}

/** Where a secret sits, with the secret itself masked (the report must not leak it either). */
function excerpt(text: string, secret: string): string {
  const at = text.indexOf(secret);
  const start = Math.max(0, at - 60);
  return text.slice(start, at + secret.length + 60).replaceAll(secret, '<SECRET>');
}
