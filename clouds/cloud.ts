/**
 * What a cloud is to this program: one `CloudModule` per cloud (clouds/<cloud>.ts), listed in
 * clouds/index.ts. A module registers everything the rest of the program needs to know of its
 * cloud, from its config keys to the resources it creates and how long they take; config,
 * rules, cluster creation, the offline plan and the synthetic cloud iterate the registry.
 *
 * Layering: modules sit between the config model (stacks/) and the cluster components
 * (components/clusters/): they read validated config and hand plain values to a component.
 */
import { z } from "zod";
import type { Cloud, MeshCluster, MeshRole } from "../components/clusters/cluster";
import type { ClusterConfig, ConfigContext, KeyDoc, MeshConfig, MeshConfigInput } from "../stacks/config";
import type { NodeShape } from "../stacks/nodeSizes";
import type { DurationRule } from "../tools/plan/durationRules";
import type { CallResult, ResourceOutputs } from "../tools/synthetic/outputs/types";

const octet = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
/** A dotted-quad IPv4 address. */
export const ipv4 = new RegExp(`^${octet}(\\.${octet}){3}$`);
const ipv4Cidr = new RegExp(`^${octet}(\\.${octet}){3}/(3[0-2]|[12]?\\d)$`);

/** Defaults of the keys every created cluster takes, whatever its cloud. */
export const clusterDefaults = { kubernetesVersion: "1.35", nodeCount: 2 };

const cidrs = () => z.array(z.string().regex(ipv4Cidr)).default([]);
/** Keys every cluster takes, whatever its cloud. */
export const anyCloud = {
    name: z.string(),
    network: z.string().optional(),
    role: z.enum(["primary", "remote"]).default("primary"),
    primary: z.string().optional(),
    eastWestSourceRanges: cidrs(),
    ingress: z.boolean().default(false),
    ingressSourceRanges: cidrs(),
    helloworldVersion: z.enum(["v1", "v2"]).optional(),
};

/** Keys of the clusters this program creates in a cloud (region, version and nodes). */
export const createdCluster = <C extends Cloud>(cloud: C, defaultNodeSize: string) => ({
    ...anyCloud,
    cloud: z.literal(cloud),
    region: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    nodeCount: z.number().int().min(1).max(100).default(clusterDefaults.nodeCount),
    nodeSize: z.string().min(1).default(defaultNodeSize),
});

/** Keys of the clusters whose load balancers take addresses the operator chose. */
export const configuredAddressKeys = { eastWestAddress: z.string().optional(), ingressAddress: z.string().optional() };

/**
 * A name a cloud derives from a cluster name, with the cloud's limit on it. `x` stands for
 * characters added at deploy time (random suffixes, and Pulumi's auto-naming: a '-' and 7
 * random characters after the logical name).
 */
export interface DerivedName {
    /** What the name is, for messages. */
    what: string;
    /** The derived name of cluster `n`. */
    name: (n: string) => string;
    /** The cloud's limit on its length. */
    max: number;
}

/** What a cloud's region names look like and which it knows, to check `clusters[].region`. */
export interface RegionCatalog {
    /** Well-formed names: what a region name of this cloud looks like. */
    pattern: RegExp;
    /** A region, for messages: `us-west-2`. */
    example: string;
    /** What a region is called, with its article: `an AWS region`, `an Azure location`. */
    called: string;
    /** The known names. */
    known: readonly string[];
    /** Where `known` comes from, for messages. */
    source: string;
    /** An unknown name is a problem when the list is authoritative, a warning when it can go stale. */
    unknown: "problem" | "warning";
    /** A well-known mistake of form (a zone for a region), as a problem; undefined when none. */
    misnamed?: (region: string, at: string) => string | undefined;
}

/** What every cloud's cluster component is given, whatever the cloud. */
export interface CommonClusterArgs {
    /** The cluster's role in the mesh. */
    role: MeshRole;
    /** Istio network of the cluster. */
    network: string;
    /** Purposes that need a static address the cloud allocates (`eastwest`, and `ingress` when on). */
    loadBalancerAddresses: string[];
    /** Addresses the operator chose, by purpose (existing and kind clusters). */
    configuredAddresses: Record<string, string>;
}

/** Turns one validated cluster entry of a cloud into its component. */
export type ClusterFactory = (c: ClusterConfig, common: CommonClusterArgs) => MeshCluster;

/** The values of a cluster entry only some clouds have, resolved from config and context. */
export interface CloudResolved {
    /** Kubernetes version, when the config (or the cloud's default) says it. */
    kubernetesVersion: string | undefined;
    /** GCP project. */
    project?: string;
    /** For `existing`: its kubeconfig (secret config). */
    kubeconfig?: string;
    /** For `gcp`: node boot disks; `explicit` when the user set either key. */
    nodeDisk?: { sizeGb: number; type: string; explicit: boolean };
}

/** What a rule found: problems refuse the config, warnings are shown and let it pass. */
export interface Findings {
    problems?: string[];
    warnings?: string[];
}

/** What a cloud's rules are told beyond its clusters. */
export interface RuleContext {
    /** The stack config as written, defaults applied. */
    input: MeshConfigInput;
    /** The resolved config. */
    config: MeshConfig;
    /** What the program knows beyond the stack's keys. */
    context: ConfigContext;
    /** Kubernetes minors the configured Istio supports; `remoteMin`: the oldest a remote may run. */
    kubernetesMinors: { min: number; max: number; remoteMin: number };
    /** The clouds of this stack's clusters run in a cloud (`inCloud`), in order of first appearance. */
    inCloud: Cloud[];
}

/** A cluster entry of a cloud, with where the config has it: `clusters[2]`. */
export interface PlacedCluster {
    c: ClusterConfig;
    at: string;
}

/** A rule on one cluster entry; `raw` is the entry as written (to tell a set key from a default). */
export type ClusterRule = (c: ClusterConfig, at: string, rules: RuleContext & { raw: Record<string, unknown> }) => Findings;

/** A rule on a cloud's clusters together (every cloud is called, with none of its clusters too). */
export type MeshRule = (own: PlacedCluster[], rules: RuleContext) => Findings;

/**
 * The rules of a cloud beyond its schema. stacks/configRules.ts calls each hook at its place
 * among the rules every cloud shares, so that messages come in the order a reader meets the keys.
 */
export interface CloudRules {
    /** Per cluster, after its role: what the program needs to reach it (existing: its kubeconfig). */
    access?: ClusterRule;
    /** Per cluster, after its gateway addresses: the addresses the cloud does not allocate (kind). */
    addresses?: ClusterRule;
    /** The key that sets a cluster's Kubernetes version, when not `kubernetesVersion` (kind: its node image). */
    versionKey?: "nodeImage";
    /** Last of the version checks, on a version Istio supports: the cloud's form of it (EKS takes no patch). */
    version?: (c: ClusterConfig, at: string, minor: number) => string | undefined;
    /** Per cluster, after its node size: the cloud's own limits (zones, project, roles). */
    cluster?: ClusterRule;
    /** Mesh-wide, after peers and the root CA: config the stack holds apart from its clusters (kubeconfigs). */
    stack?: MeshRule;
    /** Mesh-wide, next: clusters its clusters cannot mesh with (kind: those in a cloud). */
    neighbours?: MeshRule;
    /** Mesh-wide, next: what the remotes of its primaries need of them. */
    primaries?: MeshRule;
    /** Mesh-wide, after gateway addresses: quotas its clusters share. */
    quotas?: MeshRule;
}

/** What `adminPrincipals.<cloud>` grants: each principal becomes a resource per cluster. */
export interface AdminPrincipalRules {
    /** The form of one principal; the schema refuses another. */
    schema: z.ZodString;
    /** What the principals are, for the reference: `IAM ARNs`. */
    called: string;
    /** What a valid one looks like, for messages: `IAM ARNs such as arn:aws:iam::123456789012:role/ci`. */
    expected: string;
    /** What the reference adds of them, after "no duplicates". */
    note?: string;
    /** Why a principal cannot be granted, as the message's rest after its value; undefined when it can. */
    problem?: (id: string) => string | undefined;
    /** The name of the resource a principal becomes: two of one name would be one resource. */
    resourceName: (id: string) => string;
    /** What that resource is, for messages: `EKS access entry`. */
    what: string;
}

/** Everything the program knows of one cloud. */
export interface CloudModule<V extends z.ZodType = z.ZodType> {
    /** The `cloud` value of a cluster entry. */
    name: Cloud;
    /** The cloud as a diagram names it: `AWS EKS`. */
    title: string;
    /** The strict config variant of its cluster entries: a key of another cloud is an error. */
    variant: V;
    /** Reference (docs/configuration.md) of the keys only this cloud's entries take, in its order. */
    keyDocs: Record<string, KeyDoc>;
    /** Node size of its clusters unless configured; absent when the program does not size nodes. */
    defaultNodeSize?: string;
    /** Entry values beyond the schema's own defaults. */
    resolve(c: z.output<V>, input: MeshConfigInput, context: ConfigContext): CloudResolved;
    /** Names derived from a cluster name, and their limits. */
    derivedNames: DerivedName[];
    /** Article of the cloud's name in messages: "an aws cluster name". */
    article?: "a" | "an";
    /** Why a name is limited when the derived names alone do not say it. */
    nameLimitNote?: string;
    /** Its regions; absent when its clusters have none (existing, kind). */
    regions?: RegionCatalog;
    /** Clusters run in a cloud, which cannot reach addresses on this machine's Docker network. */
    inCloud: boolean;
    /** vCPUs and memory of a node size, when the size's name says; undefined when it does not. */
    nodeShape?: (size: string) => NodeShape | undefined;
    /**
     * The factory of this cloud's cluster components for one run, given the stack's clusters of
     * this cloud: it may read what it needs first (the deploying principal), and it creates one
     * cloud provider per account and location, shared by the clusters there.
     */
    clusterFactory: (config: MeshConfig, own: ClusterConfig[]) => ClusterFactory | Promise<ClusterFactory>;
    /** Its rules beyond the schema; absent: none. */
    rules?: CloudRules;
    /** Its key of `adminPrincipals`, when it grants cluster admin to listed principals. */
    adminPrincipals?: AdminPrincipalRules;
    /** What the offline plan says of its clusters. */
    plan: {
        /** The static address a primary's east-west gateway takes. */
        eastWestAddressKind: string;
        /** Whether the program allocates its addresses (then synthetic in a plan), or config sets them. */
        allocatesAddresses: boolean;
    };
    /** Rows of the duration table for its resources, first match wins (tools/plan/durations.ts). */
    durations: DurationRule[];
    /** What its providers would answer, offline (tools/synthetic). */
    synthetic: { resources: Record<string, ResourceOutputs>; calls?: Record<string, CallResult> };
}

/** The Kubernetes version, node count and size of a created cluster, as its component takes them. */
export function sizing(c: ClusterConfig): { kubernetesVersion: string; nodeCount: number; nodeSize: string } {
    return { kubernetesVersion: c.kubernetesVersion!, nodeCount: c.nodeCount, nodeSize: c.nodeSize! };
}

/** The Kubernetes version of a created cluster: configured, or the program's default. */
export function createdVersion(c: { kubernetesVersion?: string }): CloudResolved {
    return { kubernetesVersion: c.kubernetesVersion ?? clusterDefaults.kubernetesVersion };
}

/** Rows several clouds share, each cloud matching its own resources. */
export const sharedDurations = {
    cloudLoadBalancer: {
        what: "Azure or GCP load balancer of a LoadBalancer Service",
        seconds: 90,
        range: "1-2 min",
        source: "estimate",
    },
    otherCloudObjects: {
        what: "other cloud objects (VPC, subnets, routes, IAM, addresses, resource groups, identities)",
        seconds: 10,
        range: "seconds",
        source: "estimate",
    },
} satisfies Record<string, Omit<DurationRule, "matches">>;
