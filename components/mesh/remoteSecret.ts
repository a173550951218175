import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { istioNamespace } from "./chart";

/** One cluster's credentials, placed in one primary. */
export interface RemoteSecretArgs {
    /** Istio cluster ID of the cluster the secret gives access to. */
    clusterName: string;
    /** Its bearer-token kubeconfig (see ReaderToken). */
    kubeconfig: pulumi.Input<string>;
    /** Kubernetes provider of the primary that holds the secret. */
    provider: k8s.Provider;
    /** The primary's control plane: the secret is read by its istiod. */
    controlPlane: pulumi.Resource[];
}

/** The Secret `istioctl create-remote-secret` would write for a cluster. */
export function remoteSecretManifest(clusterName: string) {
    return {
        name: `istio-remote-secret-${clusterName}`,
        labels: { "istio/multiCluster": "true" },
        annotations: { "networking.istio.io/cluster": clusterName },
    };
}

/**
 * A remote secret in a primary: istiod discovers the named cluster's endpoints (and, for its
 * own remotes, patches their webhooks) with it. The data key is the cluster ID.
 */
export class RemoteSecret extends pulumi.ComponentResource {
    public readonly secret: k8s.core.v1.Secret;

    constructor(name: string, args: RemoteSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:RemoteSecret", name, {}, opts);
        const manifest = remoteSecretManifest(args.clusterName);
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { ...manifest, namespace: istioNamespace },
                stringData: pulumi.secret(pulumi.output(args.kubeconfig).apply((k) => ({ [args.clusterName]: k }))),
            },
            { parent: this, provider: args.provider, dependsOn: args.controlPlane },
        );
        this.registerOutputs({});
    }
}
