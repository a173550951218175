import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native/provider";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
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
 * The IAM principal that runs this program, as EKS records it (the role, not the session).
 */
export async function deployingPrincipal(provider: aws.Provider): Promise<string> {
    const identity = await aws.getCallerIdentity({}, { provider });
    const session = await aws.iam.getSessionContext({ arn: identity.arn }, { provider });
    return session.issuerArn;
}

/** The value of an output once the engine has it; undefined while unknown (a preview of a create). */
async function knownValue<T>(output: pulumi.Output<T>): Promise<T | undefined> {
    // `promise()` is the SDK's own accessor (internal, untyped): it resolves to undefined for an
    // unknown value instead of waiting forever as `apply` would in a preview.
    return (output as any).promise();
}

/**
 * The principal that created an EKS cluster. @pulumi/eks always sets
 * bootstrapClusterCreatorAdminPermissions, so EKS gave that principal an access entry outside
 * Pulumi: declaring one for it conflicts (ResourceInUseException), and the set of declared
 * entries must not depend on who runs the program (an entry no longer declared is deleted).
 * Recorded once, in state, by the run that first deploys the cluster; `creatorArn` in config
 * wins (for clusters created before the record existed).
 */
export async function eksCreator(cluster: ClusterConfig, caller: string): Promise<string> {
    const record = new pulumi.Stash(`${cluster.name}-eks-creator`, { input: cluster.creatorArn ?? caller });
    const recorded = await knownValue(record.output);
    return cluster.creatorArn ?? (typeof recorded === "string" ? recorded : caller);
}

/** Creates every cluster of the stack, each with its cloud's component. */
export async function createClusters(config: MeshConfig): Promise<MeshCluster[]> {
    const providers = new CloudProviders();
    const callers = new Map<string, string>();
    const creators = new Map<string, string>();
    for (const c of config.clusters.filter((x) => x.cloud === "aws")) {
        if (!callers.has(c.region!)) callers.set(c.region!, await deployingPrincipal(providers.awsFor(c.region!)));
        const caller = callers.get(c.region!)!;
        const creator = await eksCreator(c, caller);
        creators.set(c.name, creator);
        if (caller !== creator && !config.adminPrincipals.aws.includes(caller)) {
            pulumi.log.warn(
                `${c.name}: ${caller} runs this program but is neither the EKS cluster's creator (${creator}) nor listed in adminPrincipals.aws: ` +
                    `it cannot reach the cluster's API (add it to adminPrincipals.aws and run pulumi up as an identity that can)`,
            );
        }
    }
    return config.clusters.map((c) => createCluster(c, config, providers, creators));
}

function createCluster(
    c: ClusterConfig,
    config: MeshConfig,
    providers: CloudProviders,
    creators: Map<string, string>,
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
                // The creator's entry is EKS's own; every other listed admin is declared, whoever runs.
                adminPrincipalArns: config.adminPrincipals.aws.filter((arn) => arn !== creators.get(c.name)),
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
                nodeDisk: c.nodeDisk!,
                adminMembers: config.adminPrincipals.gcp,
                loadBalancerAddresses,
            });
        case "existing":
            return new ExistingCluster(c.name, { ...common, kubeconfig: c.kubeconfig!, loadBalancerAddresses: configured });
        case "kind":
            return new KindCluster(c.name, { ...common, nodeImage: c.nodeImage, loadBalancerAddresses: configured });
    }
}
