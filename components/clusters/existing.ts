import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { clusterProvider, configuredAddresses, MeshCluster, MeshRole, StaticAddress } from "./cluster";

/** A cluster this program does not create (one you already run, or kind on a laptop). */
export interface ExistingClusterArgs {
    role: MeshRole;
    /** Istio network of the cluster. */
    network: string;
    /** Kubeconfig that reaches the cluster; its current context names the API server and CA. */
    kubeconfig: pulumi.Input<string>;
    /**
     * IPv4 addresses your load balancer gives LoadBalancer Services, by purpose (e.g.
     * `eastwest`). The program cannot allocate them on a cluster it does not own.
     */
    loadBalancerAddresses: Record<string, string>;
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
            "kubeconfig of an existing cluster must name its API server (server) and inline its CA (certificate-authority-data)",
        );
    }
    return { server, certificateAuthorityData: ca };
}

/** Adopts an existing cluster into the mesh: nothing is created but its Kubernetes provider. */
export class ExistingCluster extends pulumi.ComponentResource implements MeshCluster {
    public readonly name: string;
    public readonly cloud = "existing" as const;
    public readonly role: MeshRole;
    public readonly network: string;
    public readonly provider: k8s.Provider;
    public readonly apiServerUrl: pulumi.Output<string>;
    public readonly certificateAuthorityData: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly egressIps: pulumi.Output<string[]>;
    public readonly nodesReady: pulumi.Resource[] = [];
    public readonly addresses: Record<string, StaticAddress>;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:clusters:ExistingCluster", name, {}, opts);
        this.name = name;
        this.role = args.role;
        this.network = args.network;
        this.kubeconfig = pulumi.secret(args.kubeconfig);
        // The URL and CA are not secret, but they come out of the secret kubeconfig.
        const endpoint = pulumi.unsecret(pulumi.output(args.kubeconfig).apply(kubeconfigEndpoint));
        this.apiServerUrl = endpoint.server;
        this.certificateAuthorityData = endpoint.certificateAuthorityData;
        this.egressIps = pulumi.output([]);
        this.provider = clusterProvider(name, this.kubeconfig, { parent: this });
        this.addresses = configuredAddresses(args.loadBalancerAddresses);
        this.registerOutputs({
            apiServerUrl: this.apiServerUrl,
            kubeconfig: this.kubeconfig,
        });
    }
}
