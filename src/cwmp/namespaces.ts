/** XML namespaces and CWMP version negotiation (TR-069 Amendment 6, A.2.x). */

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP_ENC_NS = 'http://schemas.xmlsoap.org/soap/encoding/';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export const CWMP_NS_1_0 = 'urn:dslforum-org:cwmp-1-0';
export const CWMP_NS_1_1 = 'urn:dslforum-org:cwmp-1-1';
/** CWMP 1.2, 1.3 and 1.4 all share this namespace; there is no cwmp-1-3 or cwmp-1-4. */
export const CWMP_NS_1_2 = 'urn:dslforum-org:cwmp-1-2';

export type CwmpNamespace = typeof CWMP_NS_1_0 | typeof CWMP_NS_1_1 | typeof CWMP_NS_1_2;
export const CWMP_NAMESPACES: readonly CwmpNamespace[] = [CWMP_NS_1_0, CWMP_NS_1_1, CWMP_NS_1_2];

export function isCwmpNamespace(uri: string | undefined): uri is CwmpNamespace {
  return uri === CWMP_NS_1_0 || uri === CWMP_NS_1_1 || uri === CWMP_NS_1_2;
}

/** Protocol versions this implementation speaks, as listed in SupportedCWMPVersions. */
export const CWMP_VERSIONS = ['1.0', '1.1', '1.2', '1.3', '1.4'] as const;
export type CwmpVersion = (typeof CWMP_VERSIONS)[number];

export function isCwmpVersion(v: string): v is CwmpVersion {
  return (CWMP_VERSIONS as readonly string[]).includes(v);
}

/** The namespace a protocol version is carried in. */
export function namespaceForVersion(version: CwmpVersion): CwmpNamespace {
  if (version === '1.0') return CWMP_NS_1_0;
  if (version === '1.1') return CWMP_NS_1_1;
  return CWMP_NS_1_2;
}

/** The highest version a namespace implies when the ACS names no version. */
export function versionForNamespace(ns: CwmpNamespace): CwmpVersion {
  if (ns === CWMP_NS_1_0) return '1.0';
  if (ns === CWMP_NS_1_1) return '1.1';
  return '1.2';
}

/** Versions up to and including `max`, comma separated, for the SupportedCWMPVersions header. */
export function supportedVersionsUpTo(max: CwmpVersion): string {
  return CWMP_VERSIONS.slice(0, CWMP_VERSIONS.indexOf(max) + 1).join(',');
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: CwmpVersion, b: CwmpVersion): number {
  return CWMP_VERSIONS.indexOf(a) - CWMP_VERSIONS.indexOf(b);
}
