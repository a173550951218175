import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { clusterProvider, configuredAddresses, kubeconfigEndpoint, MeshClusterResource, MeshRole } from "./cluster";

/** MetalLB gives kind's LoadBalancer Services addresses on the Docker network. */
export const metallbChart = { repo: "https://metallb.github.io/metallb", chart: "metallb", version: "0.15.3" };

/** A kind cluster on this machine's Docker, as a member of the mesh. */
export interface KindClusterArgs {
    role: MeshRole;
    /** Istio network of the cluster (kind clusters' pod networks overlap: each is a network of its own). */
    network: string;
    /** Node image, e.g. `kindest/node:v1.34.0`; kind's default when omitted. */
    nodeImage?: string;
    /**
     * IPv4 addresses on kind's Docker network for LoadBalancer Services, by purpose (e.g.
     * `eastwest`). MetalLB announces exactly these: static, and known before the gateways exist.
     */
    loadBalancerAddresses: Record<string, string>;
}

/** The kind cluster config: one node (kind lets workloads run on a lone control plane). */
export function kindClusterConfig(nodeImage?: string): string {
    return stringify({
        kind: "Cluster",
        apiVersion: "kind.x-k8s.io/v1alpha4",
        nodes: [{ role: "control-plane", ...(nodeImage ? { image: nodeImage } : {}) }],
    });
}

/**
 * A kind cluster with MetalLB, handed to the mesh like any cloud cluster. Other kind clusters
 * reach its API server at `https://<name>-control-plane:6443` on the Docker network; this
 * program reaches it through the kubeconfig kind writes for the host.
 */
export class KindCluster extends MeshClusterResource {
    public readonly cloud = "kind" as const;

    constructor(name: string, args: KindClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:clusters:KindCluster", name, args, opts);

        const config = kindClusterConfig(args.nodeImage);
        const cluster = new command.local.Command(
            `${name}-cluster`,
            {
                create: `kind create cluster --name ${name} --wait 180s --config -`,
                delete: `kind delete cluster --name ${name}`,
                stdin: config,
                // A new node image or config needs a new cluster.
                triggers: [config],
            },
            { parent: this, customTimeouts: { create: "10m", delete: "5m" } },
        );
        const kubeconfigCommand = new command.local.Command(
            `${name}-kubeconfig`,
            {
                create: `kind get kubeconfig --name ${name}`,
                triggers: [cluster.id],
                // The kubeconfig holds the admin's client key: keep it out of the logs.
                logging: "stderr",
            },
            { parent: this, dependsOn: [cluster], additionalSecretOutputs: ["stdout"] },
        );
        this.kubeconfig = pulumi.secret(kubeconfigCommand.stdout);
        // The CA is public; the URL other clusters use is the node's name on the Docker network.
        this.certificateAuthorityData = pulumi.unsecret(
            kubeconfigCommand.stdout.apply((k) => kubeconfigEndpoint(k).certificateAuthorityData),
        );
        this.apiServerUrl = pulumi.output(`https://${name}-control-plane:6443`);
        this.egressIps = pulumi.output([]);
        this.provider = clusterProvider(name, this.kubeconfig, { parent: this });

        const child = { parent: this, provider: this.provider };
        const metallb = new k8s.helm.v3.Release(
            `${name}-metallb`,
            {
                name: "metallb",
                namespace: "metallb-system",
                createNamespace: true,
                chart: metallbChart.chart,
                version: metallbChart.version,
                repositoryOpts: { repo: metallbChart.repo },
                timeout: 600,
            },
            child,
        );
        const addresses = Object.values(args.loadBalancerAddresses);
        const pool = new k8s.apiextensions.CustomResource(
            `${name}-address-pool`,
            {
                apiVersion: "metallb.io/v1beta1",
                kind: "IPAddressPool",
                metadata: { name: "istio-gateways", namespace: "metallb-system" },
                // Only the gateways' own addresses, taken on request: nothing else gets them.
                spec: { addresses: addresses.map((ip) => `${ip}/32`), autoAssign: false },
            },
            { ...child, dependsOn: [metallb] },
        );
        const advertisement = new k8s.apiextensions.CustomResource(
            `${name}-l2-advertisement`,
            {
                apiVersion: "metallb.io/v1beta1",
                kind: "L2Advertisement",
                metadata: { name: "istio-gateways", namespace: "metallb-system" },
                spec: { ipAddressPools: ["istio-gateways"] },
            },
            { ...child, dependsOn: [metallb] },
        );
        // Load balancers exist only while MetalLB runs: Services wait for it and go first.
        this.nodesReady = [cluster, metallb, pool, advertisement];
        this.addresses = configuredAddresses(args.loadBalancerAddresses);
        this.registerOutputs({ apiServerUrl: this.apiServerUrl, kubeconfig: this.kubeconfig });
    }
}
