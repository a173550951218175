import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { istioNamespace } from "./chart";
import { istioObject } from "./istioObjects";

/** Mesh-wide mTLS of one primary. */
export interface MeshMtlsArgs {
    /** STRICT refuses plaintext between workloads; PERMISSIVE accepts it, for migrations only. */
    mode: "STRICT" | "PERMISSIVE";
    /** Kubernetes provider of the primary. */
    provider: k8s.Provider;
    /** The primary's `base` (CRDs) and `istiod` (validation webhook). */
    controlPlane: pulumi.Resource[];
}

/**
 * The mesh-wide PeerAuthentication (`default` in the root namespace `istio-system`) of one
 * primary; it governs the primary's workloads and those of its remotes.
 */
export class MeshMtls extends pulumi.ComponentResource {
    public readonly policy: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MeshMtlsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:MeshMtls", name, {}, opts);
        this.policy = istioObject(
            `${name}-peer-authentication`,
            "PeerAuthentication",
            { name: "default", namespace: istioNamespace },
            { mtls: { mode: args.mode } },
            { parent: this, provider: args.provider, dependsOn: args.controlPlane },
        );
        this.registerOutputs({});
    }
}
