import proxyAddr from 'proxy-addr';

/**
 * The one rule for a trusted-proxies setting (`TRUSTED_PROXIES` of the gateway,
 * `LOCAL_SERVICE_TRUSTED_PROXIES` of the local service): addresses or CIDRs that proxy-addr,
 * which both sides use to read `X-Forwarded-For`, accepts.
 */
export const TRUSTED_PROXIES_MESSAGE = 'must be a comma list of IP addresses or CIDRs (e.g. 10.0.0.0/8, 127.0.0.1)';

export function isTrustedProxyList(list: readonly string[] | undefined): boolean {
  try {
    proxyAddr.compile([...(list ?? [])]);
    return true;
  } catch {
    return false;
  }
}
