import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gatewaySettingNames, loadConfig } from '../../src/config.ts';
import { loadLocalServiceConfig, localServiceSettingNames } from '../../src/local-service/config.ts';

// No Docker engine runs here, so the deployment files are kept correct by reading them:
// every variable compose.yaml or the Dockerfile sets is one the process really reads (and
// the values parse), and the image starts the way the README and package.json say.

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const dockerfile = read('Dockerfile');
const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<
    string,
    { build?: unknown; image?: string; command?: string[]; environment?: Record<string, string> }
  >;
};
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string> };

/** `${NAME:?message}` as compose would fill it from `.env`, with values that pass validation. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::?[?-][^}]*)?\}/g, (_match, name: string) => `${name.toLowerCase()}-`.repeat(4));
}

function environmentOf(service: string): Record<string, string> {
  const env = compose.services[service]?.environment ?? {};
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, interpolate(String(value))]));
}

/** The JSON-array form of an instruction, e.g. `CMD ["node", "src/main.ts"]`. */
function instruction(name: string): string[] {
  const line = dockerfile.split('\n').find((l) => l.startsWith(`${name} [`));
  if (!line) throw new Error(`Dockerfile has no ${name} [...] line`);
  return JSON.parse(line.slice(name.length + 1)) as string[];
}

/** Keys the final stage sets with ENV (continuation lines included). */
function dockerfileEnv(): string[] {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const keys: string[] = [];
  for (const block of finalStage.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)) {
    for (const pair of (block[1] ?? '').replace(/\\\n/g, ' ').matchAll(/(\w+)=/g)) keys.push(pair[1] ?? '');
  }
  return keys;
}

const ourServices = Object.entries(compose.services)
  .filter(([, s]) => s.build !== undefined)
  .map(([name]) => name);
const runsLocalService = (name: string) =>
  compose.services[name]?.command?.join(' ')?.includes('local-service') ?? false;
const gateways = ourServices.filter((name) => !runsLocalService(name));
const localServices = ourServices.filter(runsLocalService);

describe('compose.yaml', () => {
  it('runs two gateways on their own ports, Redis, PostgreSQL and the local service', () => {
    expect(gateways).toHaveLength(2);
    expect(localServices).toHaveLength(1);
    const published = gateways.map((name) =>
      (compose.services[name] as { ports: string[] }).ports[0]?.split(':').at(-2),
    );
    expect(new Set(published).size).toBe(2);
    const images = Object.values(compose.services).map((s) => s.image ?? '');
    expect(images.some((i) => i.startsWith('redis:'))).toBe(true);
    expect(images.some((i) => i.startsWith('postgres:'))).toBe(true);
  });

  it('sets on each gateway only settings src/config.ts reads', () => {
    for (const name of gateways) {
      const unknown = Object.keys(environmentOf(name)).filter((key) => !gatewaySettingNames.includes(key));
      expect(unknown, `${name} sets variables the gateway does not read`).toEqual([]);
    }
  });

  it('sets on the local service only settings src/local-service/config.ts reads', () => {
    for (const name of localServices) {
      const unknown = Object.keys(environmentOf(name)).filter((key) => !localServiceSettingNames.includes(key));
      expect(unknown, `${name} sets variables the local service does not read`).toEqual([]);
    }
  });

  it('gives values both processes accept: gateways on the shared Redis in front of the service', () => {
    const [service] = localServices;
    const local = loadLocalServiceConfig(environmentOf(service ?? ''));
    expect(local.databaseUrl).toMatch(/^postgres:\/\//);
    expect(local.host).toBe('0.0.0.0');
    for (const name of gateways) {
      const config = loadConfig(environmentOf(name));
      expect(config.env).toBe('production');
      expect(config.upstream?.url).toBe(`http://${service}:${local.port}`);
      expect(config.upstream?.applicationId).toBe(local.application?.id);
      expect(config.upstream?.authKey).toBe(local.application?.authKey);
      expect(config.redisUrl).toMatch(/^redis:\/\/redis:/);
      expect(config.files.publicViaGateway).toBe(true);
    }
  });

  it('runs the local service the way `npm run local-service` does', () => {
    for (const name of localServices) {
      expect(compose.services[name]?.command?.join(' ')).toBe(packageJson.scripts['local-service']);
    }
  });
});

describe('Dockerfile', () => {
  it('starts node directly under tini, with the command the README and `npm start` use', () => {
    expect(instruction('ENTRYPOINT')).toEqual(['/usr/bin/tini', '--']);
    const start = instruction('CMD').join(' ');
    expect(start).toBe(packageJson.scripts.start);
    const dockerSection =
      read('README.md')
        .split(/^## /m)
        .find((s) => s.startsWith('Docker')) ?? '';
    expect(dockerSection).toContain(`\`${start}\``);
  });

  it('builds in stages on a pinned Node 24 slim image, production dependencies only, as a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-\w+-slim$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev /m);
    expect(dockerfile).not.toMatch(/npm install/);
    expect(dockerfile).toMatch(/^USER node$/m);
    // Slim images have no curl: node asks /healthz.
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\\\n\s+CMD \["node", "-e", ".*\/healthz.*"\]$/m);
  });

  it('sets only variables the processes read', () => {
    const known = [...gatewaySettingNames, ...localServiceSettingNames];
    expect(dockerfileEnv().filter((key) => !known.includes(key))).toEqual([]);
    expect(dockerfileEnv()).toEqual(expect.arrayContaining(['NODE_ENV', 'HOST', 'PORT', 'DATA_DIR']));
  });
});
