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
