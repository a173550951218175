/**
 * Stand-ins for secret stack config, which the offline tools never decrypt. Each one says what
 * it is, so that nobody mistakes it for the real value.
 */

/** Marks a value made up by the offline tools. */
export const syntheticLabel = "SYNTHETIC";

/** How every secret placeholder starts, so that a message quoting one can be recognised. */
export const secretPlaceholderPrefix = `[${syntheticLabel} placeholder for the secret`;

/** Placeholder for an encrypted config value at `keyPath` (e.g. `istio-multicloud:ingressTls`). */
export function secretPlaceholder(keyPath: string): string {
    return `${secretPlaceholderPrefix} ${keyPath}: the offline plan does not decrypt secrets]`;
}

/** API server of a synthetic kubeconfig: `.invalid` is reserved, so it can never resolve. */
export function syntheticServer(cluster: string): string {
    return `https://${cluster}.synthetic.invalid:6443`;
}

/**
 * A kubeconfig for an existing cluster whose real kubeconfig is a secret. The program reads the
 * API server and the CA from it, so it has both; nothing answers at that server.
 */
export function syntheticKubeconfig(cluster: string): string {
    const ca = Buffer.from(
        `-----BEGIN CERTIFICATE-----\n${syntheticLabel} CA of ${cluster}, made up by the offline plan\n-----END CERTIFICATE-----\n`,
    ).toString("base64");
    return `# ${syntheticLabel} kubeconfig for cluster ${cluster}, made up by the offline plan: the real one is
# an encrypted secret in the stack file, which the plan does not decrypt.
apiVersion: v1
kind: Config
clusters:
- name: ${cluster}
  cluster:
    server: ${syntheticServer(cluster)}
    certificate-authority-data: ${ca}
contexts:
- name: ${cluster}
  context: { cluster: ${cluster}, user: ${cluster} }
current-context: ${cluster}
users:
- name: ${cluster}
  user:
    token: synthetic-not-a-credential
`;
}

/** A PEM block standing in for a secret certificate or key: labelled, and no valid DER. */
export function syntheticPem(label: "CERTIFICATE" | "PRIVATE KEY", keyPath: string): string {
    const body = Buffer.from(`${syntheticLabel} ${label.toLowerCase()} for ${keyPath}, made up by the offline plan`).toString("base64");
    return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/**
 * A CA certificate and its key standing in for a root the user brings as secret config: the
 * program checks that the certificate is a CA and the key is its own, so a made-up PEM would not
 * do. Generated once with openssl for the offline tools; labelled SYNTHETIC, trusted by nothing,
 * and not a secret of anyone.
 */
export const syntheticRootCa = {
    certPem: `-----BEGIN CERTIFICATE-----
MIICDjCCAbOgAwIBAgIUPfhTuzIDrQfGgXoPuVOjMVqmcmgwCgYIKoZIzj0EAwIw
UzESMBAGA1UECgwJU1lOVEhFVElDMT0wOwYDVQQDDDRTWU5USEVUSUMgcm9vdCBD
QSBvZiB0aGUgb2ZmbGluZSB0b29scywgbm90IGEgc2VjcmV0MCAXDTI2MTIwMTA3
MzgyN1oYDzIxMjYxMTA3MDczODI3WjBTMRIwEAYDVQQKDAlTWU5USEVUSUMxPTA7
BgNVBAMMNFNZTlRIRVRJQyByb290IENBIG9mIHRoZSBvZmZsaW5lIHRvb2xzLCBu
b3QgYSBzZWNyZXQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ5CJ4rydp3jhx4
fhSncAPZGNTfhZ0aiDoJ5ZUCsJQvmQOID+DUasNh40ACVGslR3x5vz4gqp+9k7l+
ep0n3xeXo2MwYTAdBgNVHQ4EFgQU8OZpfwd+sLSFSJVK/YgEVnIW928wHwYDVR0j
BBgwFoAU8OZpfwd+sLSFSJVK/YgEVnIW928wDwYDVR0TAQH/BAUwAwEB/zAOBgNV
HQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDSQAwRgIhAPutpuJv7VPhnXNNExRm79cL
Tyb63uAYcksfGXRgJ43jAiEAjPzrgEcb8jWZY0SqA9k8hs8jG2cf39KzuSperMuU
64k=
-----END CERTIFICATE-----
`,
    keyPem: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHsNUU5oKsuYivpUH
8FPYmzPmZfJTIjbS6re5al3mCJqhRANCAAQ5CJ4rydp3jhx4fhSncAPZGNTfhZ0a
iDoJ5ZUCsJQvmQOID+DUasNh40ACVGslR3x5vz4gqp+9k7l+ep0n3xeX
-----END PRIVATE KEY-----
`,
};
