import type { ResourceOutputs } from "./types";
import { secretValue } from "./types";

/** What `kind get kubeconfig` prints for a cluster: the host-side endpoint and an admin client cert. */
export function kindKubeconfig(cluster: string): string {
    const ca = Buffer.from(`-----BEGIN CERTIFICATE-----\nkind-${cluster}\n-----END CERTIFICATE-----\n`).toString("base64");
    return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${ca}
    server: https://127.0.0.1:4${cluster.length}443
  name: kind-${cluster}
contexts:
- context:
    cluster: kind-${cluster}
    user: kind-${cluster}
  name: kind-${cluster}
current-context: kind-${cluster}
kind: Config
preferences: {}
users:
- name: kind-${cluster}
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
`;
}

/** Outputs of local commands: what the kind CLI prints. */
export const commandResources: Record<string, ResourceOutputs> = {
    "command:local:Command": ({ inputs }) => {
        const create: string = inputs.create ?? "";
        const kubeconfig = /^kind get kubeconfig --name (\S+)$/.exec(create);
        if (kubeconfig) {
            // additionalSecretOutputs makes the engine return stdout as a secret.
            return { stdout: secretValue(kindKubeconfig(kubeconfig[1])), stderr: "" };
        }
        return { stdout: "", stderr: /^kind create cluster/.test(create) ? "Creating cluster ...\n" : "" };
    },
};
