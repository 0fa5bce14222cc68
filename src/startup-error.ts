/**
 * One plain line for what stops a process at start, naming the setting to change, instead
 * of a stack trace. Shared by the gateway's and the local service's entries (`main.ts`).
 */

interface SystemError {
  code?: unknown;
  message?: unknown;
}

/** A failed `listen`: busy port, a port the user may not bind, or an address not on this machine. */
export function listenFailure(
  error: unknown,
  address: { port: number; host: string; portSetting: string; hostSetting: string },
): string {
  const { port, host, portSetting, hostSetting } = address;
  const code = (error as SystemError | null)?.code;
  if (code === 'EADDRINUSE') {
    return `${portSetting}: port ${port} is already in use on ${host} (stop what uses it, or set ${portSetting} to another port; 0 picks a free one).`;
  }
  if (code === 'EACCES') {
    return `${portSetting}: not allowed to listen on port ${port} (ports below 1024 need privileges; choose a higher one).`;
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `${hostSetting}: cannot listen on ${host}, it is not an address of this machine (${code}).`;
  }
  return `${portSetting}/${hostSetting}: cannot listen on ${host}:${port} (${describe(error)}).`;
}

/** A store that cannot be opened: PostgreSQL unreachable, refusing or missing, or an unusable DATA_DIR. */
export function storeFailure(error: unknown, store: { databaseUrl?: string | undefined; dataDir: string }): string {
  if (store.databaseUrl) {
    // Driver messages name hosts, users and databases, never the password; the URL itself is cut out all the same.
    const reason = describe(error).split(store.databaseUrl).join('<DATABASE_URL>');
    return `DATABASE_URL: cannot use the PostgreSQL database (${reason}).`;
  }
  return `DATA_DIR: cannot open the embedded store in ${store.dataDir} (${describe(error)}).`;
}

function describe(error: unknown): string {
  const { code, message } = (error ?? {}) as SystemError;
  const text = typeof message === 'string' && message ? message.split('\n')[0] : String(error);
  return typeof code === 'string' && !text?.includes(code) ? `${code}: ${text}` : (text ?? 'unknown error');
}
