/**
 * Typical provisioning durations by resource type, for estimating how long `pulumi up` takes
 * to a working mesh. Each figure names its source, or says it is an estimate; real runs vary
 * with region, quota and load. Pure.
 */

/** What decides a resource's duration: its type and inputs, and the cluster it lands in. */
export interface ResourceFacts {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** The mesh cluster the resource belongs to, when it belongs to one. */
    cluster?: { name: string; cloud: string; role: string };
}

/** One row of the table. */
export interface DurationRule {
    /** What the row is about, for the report. */
    what: string;
    matches: (r: ResourceFacts) => boolean;
    /** Typical duration used in the estimate. */
    seconds: number;
    /** The range usually seen. */
    range: string;
    /** Where the figure comes from: a document or issue, or "estimate". */
    source: string;
}

/** Last path segment of a chart reference (`istiod`, `oci://registry/charts/istiod`). */
function chartName(chart: unknown): string {
    return typeof chart === "string" ? chart.split("/").pop()! : "";
}

const isType = (...types: string[]) => (r: ResourceFacts) => types.includes(r.type);
const isRelease = (chart: string, role?: string) => (r: ResourceFacts) =>
    r.type === "kubernetes:helm.sh/v3:Release" && chartName(r.inputs.chart) === chart && (role === undefined || r.cluster?.role === role);
const isLoadBalancer = (clouds: string[]) => (r: ResourceFacts) =>
    r.type === "kubernetes:core/v1:Service" && r.inputs.spec?.type === "LoadBalancer" && clouds.includes(r.cluster?.cloud ?? "");

/** The table, first match wins. */
export const durationTable: DurationRule[] = [
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
        what: "AKS managed cluster (control plane and system node pool)",
        matches: isType("azure-native:containerservice:ManagedCluster"),
        seconds: 480,
        range: "6-10 min",
        source: "estimate (https://github.com/Azure/AKS/issues/585 reported 20-30 min in 2018, since much reduced)",
    },
    {
        what: "GKE regional cluster",
        matches: isType("gcp:container/cluster:Cluster"),
        seconds: 600,
        range: "8-12 min",
        source: "https://github.com/GoogleCloudPlatform/cluster-toolkit/pull/4215 (regional cluster: 8 min 49 s and 10 min 30 s)",
    },
    {
        what: "GKE node pool",
        matches: isType("gcp:container/nodePool:NodePool"),
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
        what: "GCP Cloud NAT",
        matches: isType("gcp:compute/routerNat:RouterNat"),
        seconds: 30,
        range: "20-60 s",
        source: "estimate",
    },
    {
        what: "Azure role assignment, until it takes effect",
        matches: isType("azure-native:authorization:RoleAssignment"),
        seconds: 180,
        range: "seconds to 30 min",
        source: "https://learn.microsoft.com/en-us/answers/questions/524792/azure-rbac-replication-latency.html (Microsoft: up to 30 min); 3 min is an estimate",
    },
    {
        what: "AWS NLB of a LoadBalancer Service",
        matches: isLoadBalancer(["aws"]),
        seconds: 180,
        range: "2-5 min",
        source: "https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/1786 (4-5 min until an NLB serves); 3 min until it has an address is an estimate",
    },
    {
        what: "Azure or GCP load balancer of a LoadBalancer Service",
        matches: isLoadBalancer(["azure", "gcp"]),
        seconds: 90,
        range: "1-2 min",
        source: "estimate",
    },
    {
        what: "LoadBalancer Service on a cluster you run (existing, kind)",
        matches: (r) => r.type === "kubernetes:core/v1:Service" && r.inputs.spec?.type === "LoadBalancer",
        seconds: 15,
        range: "seconds",
        source: "estimate",
    },
    {
        what: "Helm release of Istio's base chart (CRDs)",
        matches: isRelease("base"),
        seconds: 30,
        range: "20-60 s",
        source: "estimate",
    },
    {
        what: "Helm release of istiod in a remote (webhooks and config only)",
        matches: isRelease("istiod", "remote"),
        seconds: 45,
        range: "30-60 s",
        source: "estimate",
    },
    {
        what: "Helm release of istiod (pods ready)",
        matches: isRelease("istiod"),
        seconds: 90,
        range: "1-2 min",
        source: "estimate",
    },
    {
        what: "Helm release of a gateway in a remote (injected by its primary's istiod, through the primary's east-west gateway)",
        matches: isRelease("gateway", "remote"),
        seconds: 240,
        range: "3-5 min",
        source: "estimate",
    },
    {
        what: "Helm release of a gateway (pods ready)",
        matches: isRelease("gateway"),
        seconds: 150,
        range: "2-3 min",
        source: "estimate",
    },
    {
        what: "Helm release of another chart (pods ready)",
        matches: isType("kubernetes:helm.sh/v3:Release"),
        seconds: 60,
        range: "30 s-2 min",
        source: "estimate",
    },
    {
        what: "Kubernetes Deployment (pods pulled and ready)",
        matches: isType("kubernetes:apps/v1:Deployment"),
        seconds: 45,
        range: "30-90 s",
        source: "estimate",
    },
    {
        what: "kind cluster (kind create cluster --wait)",
        matches: (r) => r.type === "command:local:Command" && /^kind create cluster/.test(String(r.inputs.create ?? "")),
        seconds: 90,
        range: "1-3 min",
        source: "estimate",
    },
    {
        what: "other Kubernetes objects (namespaces, secrets, Istio objects, Services)",
        matches: (r) => r.type.startsWith("kubernetes:"),
        seconds: 3,
        range: "seconds",
        source: "estimate",
    },
    {
        what: "GCP API enablement",
        matches: isType("gcp:projects/service:Service"),
        seconds: 45,
        range: "30-90 s",
        source: "estimate",
    },
    {
        what: "GCP network, subnetwork, router, address, firewall rule, IAM member",
        matches: (r) => r.type.startsWith("gcp:"),
        seconds: 20,
        range: "10-40 s",
        source: "estimate",
    },
    {
        what: "provider configuration",
        matches: (r) => r.type.startsWith("pulumi:providers:"),
        seconds: 0,
        range: "none",
        source: "no API call",
    },
    {
        what: "keys, certificates and random names (tls, random)",
        matches: (r) => r.type.startsWith("tls:") || r.type.startsWith("random:"),
        seconds: 0,
        range: "none",
        source: "computed locally by the provider, no cloud API",
    },
    {
        what: "other cloud objects (VPC, subnets, routes, IAM, addresses, resource groups, identities)",
        matches: (r) => r.type.startsWith("aws:") || r.type.startsWith("azure-native:"),
        seconds: 10,
        range: "seconds",
        source: "estimate",
    },
    {
        what: "local commands",
        matches: isType("command:local:Command"),
        seconds: 2,
        range: "seconds",
        source: "estimate",
    },
];

/** The row for anything the table does not know. */
export const unknownTypeRule: DurationRule = {
    what: "resource type not in the table",
    matches: () => true,
    seconds: 10,
    range: "unknown",
    source: "estimate",
};

/** The rule that sets a resource's typical duration. */
export function durationRuleFor(r: ResourceFacts): DurationRule {
    return durationTable.find((rule) => rule.matches(r)) ?? unknownTypeRule;
}

/** `45 s`, `12 min`, `1 h 05 min`. */
export function formatDuration(seconds: number): string {
    if (seconds < 60) return `${Math.round(seconds)} s`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}
