import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

/** Where a cluster runs. `existing` is a cluster this program does not create. */
export type Cloud = "aws" | "azure" | "gcp" | "existing" | "kind";

/** A cluster's role in the Istio mesh: a primary runs istiod, a remote is served by a primary. */
export type MeshRole = "primary" | "remote";

/**
 * A static IPv4 address for one LoadBalancer Service, allocated before the Service exists,
 * plus what the cloud's load-balancer controller needs to bind it.
 */
export interface StaticAddress {
    /** The IPv4 the cloud load balancer takes. */
    ip: pulumi.Output<string>;
    /** Service annotations that bind the cloud load balancer to this address. */
    annotations: pulumi.Output<Record<string, string>>;
    /** `spec.loadBalancerIP`, for clouds that bind the address that way (GCP, existing clusters). */
    loadBalancerIP?: pulumi.Output<string>;
    /**
     * Cloud resources that must exist while the load balancer does (Elastic IPs, the Azure
     * role assignment). A Service depending on them is deleted before them on `pulumi destroy`.
     */
    dependencies: pulumi.Resource[];
}

/**
 * The handle every cluster component hands to the mesh, whatever the cloud: the rest of the
 * program treats all clusters alike through it.
 */
export interface MeshCluster {
    /** Cluster name; also the Istio cluster ID (`global.multiCluster.clusterName`). */
    readonly name: string;
    readonly cloud: Cloud;
    readonly role: MeshRole;
    /** Istio network (`topology.istio.io/network`). */
    readonly network: string;
    /** Kubernetes provider for this cluster, named after it. Never the default provider. */
    readonly provider: k8s.Provider;
    /** API server URL, as other clusters' istiod reach it. */
    readonly apiServerUrl: pulumi.Output<string>;
    /** Base64 PEM of the API server's CA, as in a kubeconfig's `certificate-authority-data`. */
    readonly certificateAuthorityData: pulumi.Output<string>;
    /** Kubeconfig this program deploys with (a Pulumi secret). Not usable as an Istio remote secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Static public IPs the cluster's nodes egress from (NAT, outbound load balancer). */
    readonly egressIps: pulumi.Output<string[]>;
    /**
     * What must exist before anything is installed in the cluster: the node pools. The
     * Kubernetes provider alone waits only for the control plane.
     */
    readonly nodesReady: pulumi.Resource[];
    /** Static addresses for LoadBalancer Services, by purpose (e.g. `eastwest`). */
    readonly addresses: Record<string, StaticAddress>;
    /**
     * True for a cluster that existed before this program: its Kubernetes provider adopts objects
     * that are already there instead of failing with AlreadyExists, and the mesh keeps on destroy
     * the objects an earlier install may have left (see `AdoptedObjects`). Unset: the program
     * created the cluster, so everything in it is the program's own.
     */
    readonly adoptsExistingObjects?: boolean;
}

/** API server URL and CA of a kubeconfig's current context. */
export function kubeconfigEndpoint(kubeconfig: string): { server: string; certificateAuthorityData: string } {
    const doc = parse(kubeconfig) ?? {};
    const contexts: any[] = doc.contexts ?? [];
    const context = contexts.find((c) => c.name === doc["current-context"]) ?? contexts[0];
    const clusters: any[] = doc.clusters ?? [];
    const cluster = (context ? clusters.find((c) => c.name === context.context?.cluster) : undefined) ?? clusters[0];
    const server = cluster?.cluster?.server;
    const ca = cluster?.cluster?.["certificate-authority-data"];
    if (typeof server !== "string" || typeof ca !== "string") {
        // Other clusters' istiod reach this one with a bearer token: they need the URL and CA inline.
        throw new pulumi.RunError(
            "a cluster's kubeconfig must name its API server (server) and inline its CA (certificate-authority-data)",
        );
    }
    return { server, certificateAuthorityData: ca };
}

/**
 * Static addresses the operator chose (an existing cluster's load balancer, kind's MetalLB
 * pool): nothing to allocate, the Service asks for the IP.
 */
export function configuredAddresses(addresses: Record<string, string>): Record<string, StaticAddress> {
    return Object.fromEntries(
        Object.entries(addresses).map(([purpose, ip]) => [
            purpose,
            {
                ip: pulumi.output(ip),
                loadBalancerIP: pulumi.output(ip),
                annotations: pulumi.output<Record<string, string>>({}),
                dependencies: [],
            },
        ]),
    );
}

/** Provider settings beyond the kubeconfig, for the clusters that need them. */
export interface ClusterProviderSettings {
    /**
     * Create-or-update instead of create (pulumi-kubernetes 4.29+ fails on an object that
     * already exists). Changing it updates the provider; it never replaces it or its objects.
     */
    upsertExistingObjects?: boolean;
    /**
     * What the cluster is, beyond its kubeconfig: once set, pulumi-kubernetes replaces the
     * provider (and every object under it) only when this changes, and updates it for any other
     * change, a new CA in the kubeconfig included. Adding it to a deployed provider is an update.
     */
    clusterIdentifier?: pulumi.Input<string>;
}

/** Creates the Kubernetes provider for one cluster; never falls back to a local kubeconfig. */
export function clusterProvider(
    name: string,
    kubeconfig: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
    settings: ClusterProviderSettings = {},
): k8s.Provider {
    return new k8s.Provider(name, { kubeconfig: pulumi.secret(kubeconfig), ...settings }, opts);
}

/** What every cluster component is told of its place in the mesh. */
export interface MeshMembership {
    /** The cluster's role in the mesh; carried on the handle. */
    role: MeshRole;
    /** Istio network (`topology.istio.io/network`); carried on the handle. */
    network: string;
}

/**
 * The part every cluster component shares: the `MeshCluster` fields and their registration. A
 * subclass passes its type token (`istio-multicloud:clusters:<Name>`), sets the cloud-specific
 * fields once in its constructor, and names its children after the cluster (`${name}-...`).
 */
export abstract class MeshClusterResource extends pulumi.ComponentResource implements MeshCluster {
    public readonly name: string;
    public abstract readonly cloud: Cloud;
    public readonly role: MeshRole;
    public readonly network: string;
    // Set once by the subclass's constructor (TypeScript lets only the declaring class assign a
    // readonly field): the handle's consumers read them through the readonly MeshCluster.
    public provider!: k8s.Provider;
    public apiServerUrl!: pulumi.Output<string>;
    public certificateAuthorityData!: pulumi.Output<string>;
    public kubeconfig!: pulumi.Output<string>;
    public egressIps!: pulumi.Output<string[]>;
    public nodesReady!: pulumi.Resource[];
    public addresses!: Record<string, StaticAddress>;

    constructor(type: string, name: string, membership: MeshMembership, opts?: pulumi.ComponentResourceOptions) {
        // No inputs on the component itself: its children carry them.
        super(type, name, {}, opts);
        this.name = name;
        this.role = membership.role;
        this.network = membership.network;
    }

    /** Registers the handle's outputs (plus the cloud's own), as every created cluster does. */
    protected registerHandle(extra: pulumi.Inputs = {}): void {
        this.registerOutputs({
            ...extra,
            apiServerUrl: this.apiServerUrl,
            certificateAuthorityData: this.certificateAuthorityData,
            kubeconfig: this.kubeconfig,
            egressIps: this.egressIps,
        });
    }
}
