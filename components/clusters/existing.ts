import * as pulumi from "@pulumi/pulumi";
import { clusterProvider, configuredAddresses, kubeconfigEndpoint, MeshClusterResource, MeshRole } from "./cluster";

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

/**
 * Adopts an existing cluster into the mesh: nothing is created but its Kubernetes provider, which
 * adopts objects already there (`upsertExistingObjects`).
 */
export class ExistingCluster extends MeshClusterResource {
    public readonly cloud = "existing" as const;
    public readonly nodesReady: pulumi.Resource[] = [];
    public readonly adoptsExistingObjects = true;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:clusters:ExistingCluster", name, args, opts);
        this.kubeconfig = pulumi.secret(args.kubeconfig);
        // The URL and CA are not secret, but they come out of the secret kubeconfig.
        const endpoint = pulumi.unsecret(pulumi.output(args.kubeconfig).apply(kubeconfigEndpoint));
        this.apiServerUrl = endpoint.server;
        this.certificateAuthorityData = endpoint.certificateAuthorityData;
        this.egressIps = pulumi.output([]);
        // The cluster may already have istio-system or cacerts (an earlier install, the operator
        // following Istio's plug-in CA guide): adopt them rather than fail with AlreadyExists.
        this.provider = clusterProvider(name, this.kubeconfig, { parent: this }, { upsertExistingObjects: true });
        this.addresses = configuredAddresses(args.loadBalancerAddresses);
        this.registerOutputs({
            apiServerUrl: this.apiServerUrl,
            kubeconfig: this.kubeconfig,
        });
    }
}
