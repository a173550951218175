import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { istioNamespace } from "./chart";

/** What a primary needs to read one cluster. */
export interface ReaderTokenArgs {
    /** Istio cluster ID of the cluster being read. */
    clusterName: string;
    /** Its API server URL, as other clusters reach it. */
    apiServerUrl: pulumi.Input<string>;
    /** Base64 PEM of its API server CA. */
    certificateAuthorityData: pulumi.Input<string>;
    /** Kubernetes provider of the cluster being read. */
    provider: k8s.Provider;
    /**
     * Its `base` release (creates istio-reader-service-account) and `istiod` release (grants
     * that account its role).
     */
    controlPlane: pulumi.Resource[];
}

/**
 * A kubeconfig in the form `istioctl create-remote-secret` writes: one cluster, one context, one
 * user with a bearer token (istiod refuses exec plugins and cloud auth providers).
 */
export function remoteKubeconfig(cluster: string, server: string, caData: string, token: string): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: cluster, cluster: { server, "certificate-authority-data": caData } }],
        contexts: [{ name: cluster, context: { cluster, user: cluster } }],
        "current-context": cluster,
        preferences: {},
        users: [{ name: cluster, user: { token } }],
    });
}

/**
 * A long-lived token for `istio-reader-service-account` in one cluster, and the bearer-token
 * kubeconfig built from it that primaries use to watch the cluster.
 */
export class ReaderToken extends pulumi.ComponentResource {
    /** Bearer-token kubeconfig for this cluster (a Pulumi secret). */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: ReaderTokenArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:ReaderToken", name, {}, opts);
        // Since Kubernetes 1.24 no token Secret is created for a service account: ask the token
        // controller for one. The provider waits until it has filled in `data.token`.
        const secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: "istio-reader-service-account-istio-remote-secret-token",
                    namespace: istioNamespace,
                    annotations: { "kubernetes.io/service-account.name": "istio-reader-service-account" },
                },
                type: "kubernetes.io/service-account-token",
            },
            { parent: this, provider: args.provider, dependsOn: args.controlPlane },
        );
        const token = secret.data.apply((data) => Buffer.from(data?.token ?? "", "base64").toString("utf8"));
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([args.apiServerUrl, args.certificateAuthorityData, token])
                .apply(([server, ca, t]) => remoteKubeconfig(args.clusterName, server, ca, t)),
        );
        this.registerOutputs({ kubeconfig: this.kubeconfig });
    }
}
