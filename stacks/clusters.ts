import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native/provider";
import * as gcp from "@pulumi/gcp";
import type { MeshCluster } from "../components/clusters/cluster";
import { AksCluster } from "../components/clusters/aks";
import { EksCluster } from "../components/clusters/eks";
import { ExistingCluster } from "../components/clusters/existing";
import { GkeCluster } from "../components/clusters/gke";
import { KindCluster } from "../components/clusters/kind";
import type { ClusterConfig, MeshConfig } from "./config";

/** Purposes of the static addresses a cluster's gateways take. */
export const eastWestPurpose = "eastwest";
export const ingressPurpose = "ingress";

/** One explicit provider per cloud account and location, shared by the clusters there. */
class CloudProviders {
    private readonly aws = new Map<string, aws.Provider>();
    private readonly gcp = new Map<string, gcp.Provider>();
    private azureProvider?: azure.Provider;

    awsFor(region: string): aws.Provider {
        if (!this.aws.has(region)) this.aws.set(region, new aws.Provider(`aws-${region}`, { region: region as aws.Region }));
        return this.aws.get(region)!;
    }

    gcpFor(project: string, region: string): gcp.Provider {
        const key = `${project}-${region}`;
        if (!this.gcp.has(key)) this.gcp.set(key, new gcp.Provider(`gcp-${key}`, { project, region }));
        return this.gcp.get(key)!;
    }

    azure(): azure.Provider {
        this.azureProvider ??= new azure.Provider("azure", {});
        return this.azureProvider;
    }
}

/**
 * The IAM principal that runs this program, as EKS records it (the role, not the session):
 * `@pulumi/eks` already grants it admin access, and a second access entry would conflict.
 */
export async function deployingPrincipal(provider: aws.Provider): Promise<string> {
    const identity = await aws.getCallerIdentity({}, { provider });
    const session = await aws.iam.getSessionContext({ arn: identity.arn }, { provider });
    return session.issuerArn;
}

/** Creates every cluster of the stack, each with its cloud's component. */
export async function createClusters(config: MeshConfig): Promise<MeshCluster[]> {
    const providers = new CloudProviders();
    const deployers = new Map<string, string>();
    for (const c of config.clusters.filter((x) => x.cloud === "aws")) {
        if (!deployers.has(c.region!)) deployers.set(c.region!, await deployingPrincipal(providers.awsFor(c.region!)));
    }
    return config.clusters.map((c) => createCluster(c, config, providers, deployers));
}

function createCluster(
    c: ClusterConfig,
    config: MeshConfig,
    providers: CloudProviders,
    deployers: Map<string, string>,
): MeshCluster {
    const common = { role: c.role, network: c.network };
    const sizing = { kubernetesVersion: c.kubernetesVersion!, nodeCount: c.nodeCount, nodeSize: c.nodeSize! };
    const loadBalancerAddresses = c.ingress ? [eastWestPurpose, ingressPurpose] : [eastWestPurpose];
    // Clusters whose load balancers take addresses the operator chose.
    const configured = {
        ...(c.eastWestAddress ? { [eastWestPurpose]: c.eastWestAddress } : {}),
        ...(c.ingressAddress ? { [ingressPurpose]: c.ingressAddress } : {}),
    };
    switch (c.cloud) {
        case "aws":
            return new EksCluster(c.name, {
                ...common,
                ...sizing,
                provider: providers.awsFor(c.region!),
                region: c.region!,
                zones: c.zones,
                singleNatGateway: c.singleNatGateway,
                adminPrincipalArns: config.adminPrincipals.aws.filter((arn) => arn !== deployers.get(c.region!)),
                loadBalancerAddresses,
            });
        case "azure":
            return new AksCluster(c.name, {
                ...common,
                ...sizing,
                provider: providers.azure(),
                location: c.region!,
                adminPrincipalIds: config.adminPrincipals.azure,
                loadBalancerAddresses,
            });
        case "gcp":
            return new GkeCluster(c.name, {
                ...common,
                ...sizing,
                provider: providers.gcpFor(c.project!, c.region!),
                project: c.project!,
                region: c.region!,
                deletionProtection: c.deletionProtection,
                adminMembers: config.adminPrincipals.gcp,
                loadBalancerAddresses,
            });
        case "existing":
            return new ExistingCluster(c.name, { ...common, kubeconfig: c.kubeconfig!, loadBalancerAddresses: configured });
        case "kind":
            return new KindCluster(c.name, { ...common, nodeImage: c.nodeImage, loadBalancerAddresses: configured });
    }
}
