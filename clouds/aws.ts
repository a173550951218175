/** AWS: EKS clusters, each in its own VPC, one aws provider per region. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { accessEntryKey, EksCluster } from "../components/clusters/eks";
import type { ClusterConfig } from "../stacks/config";
import type { NodeShape } from "../stacks/nodeSizes";
import { awsRegions, awsZoneCounts, regionListSource } from "../stacks/regions";
import { isLoadBalancer, isType } from "../tools/plan/durationRules";
import { awsCalls, awsResources } from "../tools/synthetic/outputs/aws";
import { CloudModule, createdCluster, createdVersion, sharedDurations, sizing } from "./cloud";

/** EKS needs subnets in at least two availability zones. */
export const minEksZones = 2;
/** Availability zones of an EKS cluster unless configured. */
export const defaultZones = 2;

/** Default AWS quota of Elastic IPs per region. */
export const elasticIpQuota = 5;

/**
 * Elastic IPs one EKS cluster takes: its NAT gateways plus one per public subnet for each NLB
 * (east-west, and ingress when on).
 */
export function elasticIpsOf(cluster: Pick<ClusterConfig, "zones" | "singleNatGateway" | "ingress">): number {
    const nat = cluster.singleNatGateway ? 1 : cluster.zones;
    return nat + cluster.zones * (cluster.ingress ? 2 : 1);
}

/** Why an EKS admin ARN cannot be an access entry's principal, if it cannot. */
function awsPrincipalProblem(arn: string): string | undefined {
    const m = /^arn:(aws[a-z-]*):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
    if (!m) return undefined; // the schema reports the form
    const [, partition, service, account, resource] = m;
    if (service === "sts") {
        const role = /^assumed-role\/([^/]+)\//.exec(resource)?.[1];
        return role
            ? `is an STS assumed-role session, which EKS access entries refuse; use the role's ARN, arn:${partition}:iam::${account}:role/${role} (with the role's path, if it has one)`
            : "is an STS principal, which EKS access entries refuse; use the ARN of an IAM role or user";
    }
    if (!/^(role|user)\/\S+$/.test(resource)) return "is neither an IAM role nor an IAM user; EKS access entries take only those";
    return undefined;
}

// Burstable AWS t-family sizes do not follow the vCPU x ratio rule of the other families.
const awsBurstable: Record<string, NodeShape> = {
    nano: { vcpus: 2, memoryGiB: 0.5 },
    micro: { vcpus: 2, memoryGiB: 1 },
    small: { vcpus: 2, memoryGiB: 2 },
    medium: { vcpus: 2, memoryGiB: 4 },
    large: { vcpus: 2, memoryGiB: 8 },
    xlarge: { vcpus: 4, memoryGiB: 16 },
    "2xlarge": { vcpus: 8, memoryGiB: 32 },
};

// GiB of memory per vCPU by instance family class.
const awsRatio: Record<string, number> = { m: 4, c: 2, r: 8 };

/** The shape of an EC2 instance type, for the families whose names encode it. */
function nodeShape(size: string): NodeShape | undefined {
    const m = /^([a-z])(\d+)[a-z-]*\.(nano|micro|small|medium|large|xlarge|(\d+)xlarge)$/.exec(size);
    if (!m) return undefined;
    const [, family, , suffix, multiple] = m;
    if (family === "t") return awsBurstable[suffix];
    const ratio = awsRatio[family];
    if (!ratio) return undefined;
    const vcpus = suffix === "large" ? 2 : suffix === "xlarge" ? 4 : multiple ? 4 * Number(multiple) : undefined;
    return vcpus ? { vcpus, memoryGiB: vcpus * ratio } : undefined;
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

const variant = z.strictObject({
    ...createdCluster("aws", "m5.large"),
    zones: z.number().int().min(minEksZones).max(4).default(defaultZones),
    singleNatGateway: z.boolean().default(false),
    creatorArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/\S+$/)
        .optional(),
});

export const awsCloud: CloudModule<typeof variant> = {
    name: "aws",
    title: "AWS EKS",
    variant,
    keyDocs: {
        zones: {
            doc: "availability zones, 2 to 4 (EKS needs two; a public and a private subnet each), at most what the region offers",
            tooSmall: `is too few: EKS needs subnets in at least ${minEksZones} availability zones (${minEksZones} to 4)`,
        },
        singleNatGateway: { doc: "one NAT gateway instead of one per zone (saves Elastic IPs and cost)" },
        creatorArn: {
            doc: "IAM role or user ARN that created the EKS cluster, for clusters deployed before the program recorded its creator; EKS gives it admin itself, so no access entry is declared for it",
            defaultText: "recorded in state at creation",
            expected: "the IAM role or user ARN that created the EKS cluster, such as arn:aws:iam::123456789012:role/admin",
        },
    },
    defaultNodeSize: "m5.large",
    resolve: createdVersion,
    // Read from components/clusters/eks.ts.
    derivedNames: [
        { what: "the IAM role of its nodes (auto-named from <name>-nodes)", name: (n) => `${n}-nodes-xxxxxxx`, max: 64 },
        { what: "the EKS cluster name", name: (n) => `${n}-xxxxxx`, max: 100 },
    ],
    article: "an",
    regions: {
        pattern: /^[a-z]{2}(-gov|-iso[a-z]?|-isoe|-isof)?-[a-z]+-\d+$/,
        example: "us-west-2",
        called: "an AWS region",
        known: awsRegions,
        source: regionListSource.aws,
        // The SDK's list moves with the pin: a name it does not know is no region.
        unknown: "problem",
        misnamed: (region, at) =>
            /^[a-z]{2}-[a-z]+-\d+[a-z]$/.test(region)
                ? `${at}: ${JSON.stringify(region)} is an availability zone, not a region (use ${JSON.stringify(region.slice(0, -1))}; set zones for how many zones)`
                : undefined,
    },
    inCloud: true,
    nodeShape,
    async clusterFactory(config, own) {
        // One provider per region, shared by the clusters there.
        const providers = new Map<string, aws.Provider>();
        const providerFor = (region: string) => {
            if (!providers.has(region)) providers.set(region, new aws.Provider(`aws-${region}`, { region: region as aws.Region }));
            return providers.get(region)!;
        };
        const callers = new Map<string, string>();
        const creators = new Map<string, string>();
        for (const c of own) {
            if (!callers.has(c.region!)) callers.set(c.region!, await deployingPrincipal(providerFor(c.region!)));
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
        return (c, common) =>
            new EksCluster(c.name, {
                role: common.role,
                network: common.network,
                ...sizing(c),
                provider: providerFor(c.region!),
                region: c.region!,
                zones: c.zones,
                singleNatGateway: c.singleNatGateway,
                // The creator's entry is EKS's own; every other listed admin is declared, whoever runs.
                adminPrincipalArns: config.adminPrincipals.aws.filter((arn) => arn !== creators.get(c.name)),
                loadBalancerAddresses: common.loadBalancerAddresses,
            });
    },
    rules: {
        version: (c, at, minor) =>
            /^1\.\d+\.\d+$/.test(c.kubernetesVersion!)
                ? `${at}.kubernetesVersion: ${JSON.stringify(c.kubernetesVersion)} has a patch; EKS takes major.minor only (use "1.${minor}", EKS applies patches itself)`
                : undefined,
        cluster(c, at) {
            const problems: string[] = [];
            const warnings: string[] = [];
            const zones = c.region ? awsZoneCounts[c.region] : undefined;
            if (zones !== undefined && c.zones > zones) {
                problems.push(
                    `${at}.zones: ${c.zones} is more than the ${zones} availability zones ${c.region} offers an account (1 to ${zones}; per-region counts in stacks/regions.ts)`,
                );
            }
            if (c.role === "remote") {
                warnings.push(
                    `${at}: an EKS cluster as a remote is a risk: upstream reports its API server's webhook calls to a public IP being refused, so sidecar injection may fail (prefer EKS as a primary)`,
                );
            }
            return { problems, warnings };
        },
        // Elastic IPs per AWS region: NAT gateways plus each east-west gateway's addresses.
        quotas(own) {
            const byRegion = new Map<string, ClusterConfig[]>();
            for (const { c } of own.filter(({ c }) => c.region)) byRegion.set(c.region!, [...(byRegion.get(c.region!) ?? []), c]);
            const warnings: string[] = [];
            for (const [region, inRegion] of byRegion) {
                const needed = inRegion.reduce((n, c) => n + elasticIpsOf(c), 0);
                if (needed >= elasticIpQuota) {
                    warnings.push(
                        `Elastic IPs: the EKS clusters in ${region} (${inRegion.map((c) => c.name).join(", ")}) need ${needed} Elastic IPs (NAT gateways and gateway addresses), ` +
                            `reaching the default quota of ${elasticIpQuota} per region; Elastic IPs of other stacks in the account count too. Request a quota increase, set singleNatGateway, or use fewer zones (at least 2).`,
                    );
                }
            }
            return { warnings };
        },
    },
    adminPrincipals: {
        schema: z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/),
        called: "IAM ARNs",
        expected: "IAM ARNs such as arn:aws:iam::123456789012:role/ci",
        note: "EKS admins as role ARNs (not `sts` assumed-role sessions)",
        problem: awsPrincipalProblem,
        resourceName: accessEntryKey,
        what: "EKS access entry",
    },
    plan: { eastWestAddressKind: "Elastic IP", allocatesAddresses: true },
    durations: [
        {
            what: "EKS control plane (@pulumi/eks Cluster)",
            matches: isType("eks:index:Cluster"),
            seconds: 600,
            range: "8-15 min",
            source: "https://github.com/aws/containers-roadmap/issues/1227 (AWS: control plane creation averaged 15 min, being reduced); 10 min is an estimate for today",
        },
        {
            what: "EKS managed node group",
            matches: isType("eks:index:ManagedNodeGroup"),
            seconds: 240,
            range: "3-5 min",
            source: "estimate",
        },
        {
            what: "AWS NAT gateway",
            matches: isType("aws:ec2/natGateway:NatGateway"),
            seconds: 120,
            range: "1-5 min",
            source: "https://github.com/kubernetes/kops/pull/944 (pending to available takes minutes, up to 5)",
        },
        {
            what: "AWS NLB of a LoadBalancer Service",
            matches: isLoadBalancer(["aws"]),
            seconds: 180,
            range: "2-5 min",
            source: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/1786 (4-5 min until an NLB serves); 3 min until it has an address is an estimate",
        },
        { ...sharedDurations.otherCloudObjects, matches: (r) => r.type.startsWith("aws:") },
    ],
    synthetic: { resources: awsResources, calls: awsCalls },
};
