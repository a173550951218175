import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { Cloud, MeshRole } from "../components/clusters/cluster";
import {
    defaultChartRepository,
    defaultImageHub,
    defaultIstioVersion,
    istioMinorOf,
    istioMinors,
    istioVersionProblem,
    remoteKubernetesMin,
    retiredLocationOf,
} from "./istioReleases";
import { nodeShape, primaryNodeMinimum } from "./nodeSizes";
import { checkRevisions, MeshRevisions, revisionCapacityWarnings, revisionExpectations, revisionsSchema } from "./revisions";

/** Config namespace of every key this program reads. */
export const configNamespace = "istio-multicloud";

/** Default AWS quota of Elastic IPs per region. */
export const elasticIpQuota = 5;
/** EKS needs subnets in at least two availability zones. */
export const minEksZones = 2;
/** SSD_TOTAL_GB per region on many new GCP projects (pd-balanced and pd-ssd count). */
export const gcpSsdQuotaGb = 250;
/** GCP zones a regional cluster's node pools usually span. */
const gcpZonesPerRegion = 3;
/** Boot disks of GKE nodes unless configured: pd-standard stays out of the SSD quota. */
export const gcpNodeDiskDefaults = { sizeGb: 50, type: "pd-standard" };

export const defaults = {
    meshId: "mesh1",
    istioVersion: defaultIstioVersion,
    chartRepository: defaultChartRepository,
    imageHub: defaultImageHub,
    protectRootCa: true,
    demo: false,
    mtlsMode: "STRICT" as MtlsMode,
    kubernetesVersion: "1.35",
    nodeCount: 2,
    zones: 2,
    nodeSize: { aws: "m5.large", azure: "Standard_D2s_v5", gcp: "e2-standard-2" } as Record<string, string>,
};

const dnsLabel = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const octet = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const ipv4 = new RegExp(`^${octet}(\\.${octet}){3}$`);
const ipv4Cidr = new RegExp(`^${octet}(\\.${octet}){3}/(3[0-2]|[12]?\\d)$`);
const stackName = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const dnsName = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Mesh-wide mTLS: STRICT refuses plaintext; PERMISSIVE accepts it, for migrations only. */
export type MtlsMode = "STRICT" | "PERMISSIVE";
/** Versions of the helloworld demo. */
export type HelloworldVersion = "v1" | "v2";

const show = (v: unknown) => JSON.stringify(v);

const clusterSchema = z.strictObject({
    name: z.string(),
    cloud: z.enum(["aws", "azure", "gcp", "existing", "kind"]),
    region: z.string().optional(),
    network: z.string().optional(),
    role: z.enum(["primary", "remote"]).optional(),
    primary: z.string().optional(),
    kubernetesVersion: z.string().optional(),
    nodeCount: z.number().int().min(1).max(100).optional(),
    nodeSize: z.string().min(1).optional(),
    zones: z.number().int().min(minEksZones).max(4).optional(),
    project: z.string().min(1).optional(),
    singleNatGateway: z.boolean().optional(),
    deletionProtection: z.boolean().optional(),
    eastWestAddress: z.string().optional(),
    eastWestSourceRanges: z.array(z.string().regex(ipv4Cidr)).optional(),
    ingress: z.boolean().optional(),
    ingressAddress: z.string().optional(),
    ingressSourceRanges: z.array(z.string().regex(ipv4Cidr)).optional(),
    helloworldVersion: z.enum(["v1", "v2"]).optional(),
    nodeImage: z.string().regex(/^[a-z0-9][a-z0-9./_-]*:v\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$/).optional(),
    diskSizeGb: z.number().int().min(10).max(65536).optional(),
    diskType: z.enum(["pd-standard", "pd-balanced", "pd-ssd"]).optional(),
    creatorArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/\S+$/).optional(),
});

const configSchema = z.strictObject({
    meshId: z.string().regex(dnsLabel).optional(),
    istioVersion: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/).optional(),
    ...revisionsSchema,
    chartRepository: z.string().regex(/^(https:\/\/|oci:\/\/)\S+$/).optional(),
    imageHub: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/)
        .optional(),
    protectRootCa: z.boolean().optional(),
    demo: z.boolean().optional(),
    mtlsMode: z.enum(["STRICT", "PERMISSIVE"]).optional(),
    trafficPolicy: z
        .strictObject({ localityFailover: z.boolean().optional(), versionHeader: z.boolean().optional() })
        .optional(),
    ingressTls: z
        .strictObject({ host: z.string().regex(dnsName), credentialName: z.string().regex(dnsLabel) })
        .optional(),
    clusters: z.array(clusterSchema).min(1),
    peers: z
        .array(
            z.strictObject({
                name: z.string().regex(dnsLabel),
                stack: z.string().regex(stackName),
                role: z.enum(["primary", "remote"]),
                network: z.string().min(1),
                primary: z.string().optional(),
            }),
        )
        .optional(),
    rootCaFrom: z.string().regex(stackName).optional(),
    rootCa: z
        .strictObject({
            certPem: z.string().regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/),
            keyPem: z.string().regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/),
        })
        .optional(),
    kubeconfigs: z.record(z.string(), z.string().min(1)).optional(),
    adminPrincipals: z
        .strictObject({
            aws: z.array(z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$/)).optional(),
            azure: z.array(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)).optional(),
            gcp: z.array(z.string().regex(/^(user|serviceAccount|group|domain|principal|principalSet):\S+$/)).optional(),
        })
        .optional(),
});

/** Which keys take which kind of value, for messages. */
const expectations: Record<string, string> = {
    meshId: "a DNS-1123 label such as mesh1",
    istioVersion: `a full Istio version such as ${defaultIstioVersion}`,
    chartRepository: "an https:// or oci:// URL",
    imageHub: `an image registry path without scheme or tag, such as ${defaultImageHub} or 123456789012.dkr.ecr.us-west-2.amazonaws.com/istio`,
    "adminPrincipals.aws": "IAM ARNs such as arn:aws:iam::123456789012:role/ci",
    "adminPrincipals.azure": "Entra object IDs (GUIDs)",
    "adminPrincipals.gcp": "IAM members such as serviceAccount:ci@my-project.iam.gserviceaccount.com",
    "clusters.eastWestSourceRanges": "IPv4 CIDRs such as 203.0.113.0/24",
    "clusters.nodeImage": "a kind node image such as kindest/node:v1.34.0",
    "clusters.creatorArn": "the IAM role or user ARN that created the EKS cluster, such as arn:aws:iam::123456789012:role/admin",
    "clusters.ingressSourceRanges": "IPv4 CIDRs such as 203.0.113.0/24",
    "ingressTls.host": "a DNS name such as hello.example.com",
    "peers.name": "a DNS-1123 label",
    "peers.stack": "a fully qualified stack name such as acme/istio-multicloud/aks-team",
    rootCaFrom: "a fully qualified stack name such as acme/istio-multicloud/eks-team",
    "rootCa.certPem": "a PEM certificate (-----BEGIN CERTIFICATE-----)",
    "rootCa.keyPem": "a PEM private key (-----BEGIN ... PRIVATE KEY-----)",
    "ingressTls.credentialName": "the name of a TLS Secret in istio-ingress, such as hello-tls",
    ...revisionExpectations,
};

/** A validated cluster entry with every default applied. */
export interface ClusterConfig {
    name: string;
    cloud: Cloud;
    role: MeshRole;
    /** For a remote: the primary that controls it. */
    primary?: string;
    network: string;
    /** Region or Azure location; undefined for `existing`. */
    region?: string;
    kubernetesVersion?: string;
    nodeCount: number;
    nodeSize?: string;
    zones: number;
    /** GCP project. */
    project?: string;
    singleNatGateway: boolean;
    deletionProtection: boolean;
    /** For `existing`: the IPv4 its east-west gateway Service takes. */
    eastWestAddress?: string;
    /** For `existing`: its kubeconfig (secret config). */
    kubeconfig?: string;
    /** Sources allowed to reach the east-west load balancer; empty: any. */
    eastWestSourceRanges: string[];
    /** Run a north-south ingress gateway on a static address. */
    ingress: boolean;
    /** For `existing`: the IPv4 its ingress gateway Service takes. */
    ingressAddress?: string;
    /** Sources allowed to reach the ingress load balancer; empty: any. */
    ingressSourceRanges: string[];
    /** Version of the helloworld demo this cluster runs. */
    helloworldVersion: HelloworldVersion;
    /** For `kind`: the node image (kind's default when omitted). */
    nodeImage?: string;
    /** For `gcp`: node boot disks; `explicit` when the user set either key. */
    nodeDisk?: { sizeGb: number; type: string; explicit: boolean };
    /** For `aws`: the principal that created the EKS cluster, when the state does not record it. */
    creatorArn?: string;
}

/** A cluster of the mesh that another stack owns: known here so the topology is whole. */
export interface PeerConfig {
    name: string;
    /** Fully qualified name of the stack that owns it. */
    stack: string;
    role: MeshRole;
    network: string;
    primary?: string;
}

/** The whole validated stack config. */
export interface MeshConfig {
    meshId: string;
    /** Istio version of the charts; with revisions, the newest revision's (that of `base`). */
    istioVersion: string;
    /** Canary control-plane revisions and the default tag's target; undefined: one unrevisioned control plane. */
    revisions?: MeshRevisions;
    chartRepository: string;
    /** Registry path of Istio's images (istiod, proxies) and the demo's: docker.io/istio or a mirror. */
    imageHub: string;
    protectRootCa: boolean;
    /** Deploy the helloworld demo and a curl client in every cluster. */
    demo: boolean;
    mtlsMode: MtlsMode;
    /** Optional traffic policy for the demo. */
    trafficPolicy: { localityFailover: boolean; versionHeader: boolean };
    /** HTTPS on the ingress gateways: host name and the certificate Secret the user brings. */
    ingressTls?: { host: string; credentialName: string };
    clusters: ClusterConfig[];
    /** Clusters of the mesh owned by other stacks; nothing is installed in them. */
    peers: PeerConfig[];
    /** Stack that owns the mesh root and issues this stack's intermediates; unset: this stack owns the root. */
    rootCaFrom?: string;
    /** A root the user brings (secret config) instead of one generated here. */
    rootCa?: { certPem: string; keyPem: string };
    adminPrincipals: { aws: string[]; azure: string[]; gcp: string[] };
}

/** A config that cannot be deployed: every problem found, each naming its key. */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: string[]) {
        super(
            `Stack config is not valid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Renders a key path the way a user writes it: `clusters[1].primary`. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
    return path.reduce<string>((acc, part) => {
        if (typeof part === "number") return `${acc}[${part}]`;
        return acc ? `${acc}.${String(part)}` : String(part);
    }, "");
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    return path.reduce<any>((v, k) => (v === undefined || v === null ? undefined : v[k as any]), root);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
    const at = keyPath(issue.path);
    const value = valueAt(raw, issue.path);
    const generic = at.replace(/\[\d+\]/g, "");
    switch (issue.code) {
        case "unrecognized_keys": {
            const shapes: Record<string, object> = {
                "": configSchema.shape,
                clusters: clusterSchema.shape,
                adminPrincipals: configSchema.shape.adminPrincipals.unwrap().shape,
                trafficPolicy: configSchema.shape.trafficPolicy.unwrap().shape,
                ingressTls: configSchema.shape.ingressTls.unwrap().shape,
                peers: configSchema.shape.peers.unwrap().element.shape,
                revisions: configSchema.shape.revisions.unwrap().element.shape,
                rootCa: configSchema.shape.rootCa.unwrap().shape,
            };
            const shape = shapes[generic];
            const valid = shape ? Object.keys(shape).join(", ") : "see README";
            return issue.keys
                .map((k) => `${at ? `${at}.` : ""}${k}: unknown key (valid keys: ${valid})`)
                .join("\n");
        }
        case "invalid_value": {
            const valid = issue.values.map((v) => String(v)).join(", ");
            if (value === undefined) return `${at}: is required (valid: ${valid})`;
            return `${at}: ${show(value)} is not valid (valid: ${valid})`;
        }
        case "invalid_type": {
            const expected = issue.expected === "int" ? "integer" : issue.expected;
            if (value === undefined) return `${at}: is required (${expected})`;
            return `${at}: ${show(value)} is not ${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}`;
        }
        case "invalid_format":
            return `${at}: ${show(value)} is not valid (expected ${expectations[generic] ?? issue.format})`;
        case "too_small":
            if (generic === "clusters.zones") {
                return `${at}: ${show(value)} is too few: EKS needs subnets in at least ${minEksZones} availability zones (${minEksZones} to 4)`;
            }
            if (Array.isArray(value)) return `${at}: needs at least ${issue.minimum} entr${issue.minimum === 1 ? "y" : "ies"}`;
            if (typeof value === "string") return `${at}: must not be empty`;
            return `${at}: ${show(value)} is too small (minimum ${issue.minimum})`;
        case "too_big":
            return `${at}: ${show(value)} is too large (maximum ${issue.maximum})`;
        default:
            return `${at}: ${issue.message}`;
    }
}

/**
 * A copy of raw without the values the schema rejected, recording their key paths in `rejected`;
 * undefined when one cannot be removed.
 */
function withoutRejected(raw: unknown, issues: z.core.$ZodIssue[], rejected: string[]): unknown {
    const copy = structuredClone(raw);
    for (const issue of issues) {
        const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [[...issue.path]];
        for (let path of paths) {
            // A bad array element goes with its whole array: removing it alone would renumber the rest.
            while (typeof path[path.length - 1] === "number") path = path.slice(0, -1);
            if (path.length === 0) return undefined;
            const parent = valueAt(copy, path.slice(0, -1));
            if (typeof parent !== "object" || parent === null || Array.isArray(parent)) return undefined;
            delete (parent as Record<PropertyKey, unknown>)[path[path.length - 1]];
            rejected.push(keyPath(path));
        }
    }
    return copy;
}

/** The minor of a Kubernetes version such as `1.35` or `1.35.2`. */
function kubernetesMinor(version: string): number | undefined {
    const m = /^1\.(\d+)(\.\d+)?$/.exec(version);
    return m ? Number(m[1]) : undefined;
}

/**
 * Elastic IPs one EKS cluster takes: its NAT gateways plus one per public subnet for each NLB
 * (east-west, and ingress when on).
 */
export function elasticIpsOf(cluster: Pick<ClusterConfig, "zones" | "singleNatGateway" | "ingress">): number {
    const nat = cluster.singleNatGateway ? 1 : cluster.zones;
    return nat + cluster.zones * (cluster.ingress ? 2 : 1);
}

/** Longest cluster name per cloud: GKE names (name + suffix) have at most 40 characters, AKS DNS prefixes 54. */
const maxNameLength: Partial<Record<Cloud, number>> = { gcp: 33, azure: 47 };

/** Keys that only make sense on some clouds. */
const cloudOnlyKeys: Record<string, Cloud[]> = {
    region: ["aws", "azure", "gcp"],
    kubernetesVersion: ["aws", "azure", "gcp", "existing"],
    nodeImage: ["kind"],
    creatorArn: ["aws"],
    diskSizeGb: ["gcp"],
    diskType: ["gcp"],
    nodeCount: ["aws", "azure", "gcp"],
    nodeSize: ["aws", "azure", "gcp"],
    zones: ["aws"],
    project: ["gcp"],
    singleNatGateway: ["aws"],
    deletionProtection: ["gcp"],
    eastWestAddress: ["existing", "kind"],
    ingressAddress: ["existing", "kind"],
};

/**
 * Validates raw stack config (values as Pulumi hands them over, JSON already parsed) and
 * applies defaults. Throws a ConfigError listing every problem; returns warnings to log.
 */
export function parseMeshConfig(
    raw: Record<string, unknown>,
    context: { gcpProject?: string } = {},
): { config: MeshConfig; warnings: string[] } {
    const problems: string[] = [];
    const warnings: string[] = [];
    let parsed = configSchema.safeParse(raw);
    // Key paths of the values the schema rejected.
    const rejected: string[] = [];
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            problems.push(...describeIssue(issue, raw).split("\n"));
        }
        // Report the other problems too: check the config again without the rejected values (their
        // keys fall back to defaults). A rejected required value (name, cloud, clusters) ends it here.
        const rest = withoutRejected(raw, parsed.error.issues, rejected);
        if (rest !== undefined) parsed = configSchema.safeParse(rest);
        if (!parsed.success) throw new ConfigError(problems);
    }
    const schemaProblems = problems.length;
    const input = parsed.data;
    const kubeconfigs = input.kubeconfigs ?? {};

    const revisionCheck = checkRevisions(input, defaults.istioVersion);
    problems.push(...revisionCheck.problems);
    const istioVersion = revisionCheck.istioVersion ?? input.istioVersion ?? defaults.istioVersion;
    const versionProblem = input.revisions ? undefined : istioVersionProblem(istioVersion);
    if (versionProblem) problems.push(`istioVersion: ${versionProblem}`);
    // Kubernetes versions are checked against the configured minor (the newest when it is refused),
    // with revisions against the range every revision supports.
    const istioMinor = revisionCheck.kubernetes
        ? { minor: revisionCheck.kubernetes.minors, kubernetes: revisionCheck.kubernetes }
        : istioMinorOf(istioVersion) ?? istioMinors[istioMinors.length - 1];
    const kubernetesMinors = { ...istioMinor.kubernetes, remoteMin: Math.max(remoteKubernetesMin, istioMinor.kubernetes.min) };

    // Istio's retired artefact locations fail every pull once they are gone: refuse them up front
    // rather than leave a mesh half-installed when istiod or a proxy cannot start.
    const chartRepository = input.chartRepository ?? defaults.chartRepository;
    const imageHub = input.imageHub ?? defaults.imageHub;
    for (const [key, location, kind] of [
        ["chartRepository", chartRepository, "charts"],
        ["imageHub", imageHub, "images"],
    ] as const) {
        const retired = retiredLocationOf(location);
        if (retired) {
            problems.push(
                `${key}: ${show(location)} is ${retired.host}, which Istio retired in December 2026 (Istio 1.31 was never published there); use ${show(retired[kind])}${kind === "charts" ? " (or its OCI form oci://ghcr.io/istio/release/charts)" : ""} or a mirror of it`,
            );
        }
    }

    const names = input.clusters.map((c) => c.name);
    // The clusters a remote may name as its primary, for messages.
    const peers = input.peers ?? [];
    const primaries = `primaries: ${[
        ...input.clusters.filter((c) => (c.role ?? "primary") === "primary").map((c) => c.name),
        ...peers.filter((p) => p.role === "primary").map((p) => p.name),
    ].join(", ") || "none"}`;
    const clusters: ClusterConfig[] = input.clusters.map((c, i) => {
        const at = `clusters[${i}]`;
        if (!dnsLabel.test(c.name)) {
            problems.push(
                `${at}.name: ${show(c.name)} is not a DNS-1123 label (lowercase letters, digits and '-', starting with a letter, at most 63 characters)`,
            );
        } else if (names.indexOf(c.name) !== i) {
            problems.push(`${at}.name: ${show(c.name)} is already the name of clusters[${names.indexOf(c.name)}]; names must be unique`);
        } else if (c.name.length > (maxNameLength[c.cloud] ?? 63)) {
            problems.push(
                `${at}.name: ${show(c.name)} has ${c.name.length} characters; a ${c.cloud} cluster name may have at most ${maxNameLength[c.cloud]} (cloud names add a 7-character suffix)`,
            );
        }
        for (const [key, clouds] of Object.entries(cloudOnlyKeys)) {
            if ((c as any)[key] !== undefined && !clouds.includes(c.cloud)) {
                problems.push(`${at}.${key}: not used for cloud "${c.cloud}" (only for ${clouds.join(", ")})`);
            }
        }
        if (c.cloud !== "existing" && c.cloud !== "kind" && (c.region === undefined || c.region === "")) {
            problems.push(`${at}.region: is required for cloud "${c.cloud}" (${c.cloud === "azure" ? "an Azure location such as eastus" : c.cloud === "aws" ? "an AWS region such as us-west-2" : "a GCP region such as us-central1"})`);
        }
        if (c.network !== undefined && c.network.trim() === "") {
            problems.push(`${at}.network: must not be empty (omit it to give the cluster a network of its own)`);
        }
        const role: MeshRole = c.role ?? "primary";
        if (role === "remote" && c.primary === undefined) {
            problems.push(`${at}.primary: a remote needs the name of the primary that controls it (${primaries})`);
        }
        if (role === "primary" && c.primary !== undefined) {
            problems.push(
                `${at}.primary: ${show(c.primary)} is set but ${at} has role primary; only a remote names a primary (set role: remote or remove primary)`,
            );
        }
        if (c.cloud === "existing" && kubeconfigs[c.name] === undefined) {
            problems.push(
                `kubeconfigs.${c.name}: missing; cluster ${show(c.name)} is "existing" and needs its kubeconfig (pulumi config set --secret --path 'kubeconfigs.${c.name}' "$(cat kubeconfig)")`,
            );
        }
        for (const key of ["eastWestAddress", "ingressAddress"] as const) {
            if (c[key] !== undefined && !ipv4.test(c[key]!)) {
                problems.push(`${at}.${key}: ${show(c[key])} is not an IPv4 address`);
            }
        }
        if (!c.ingress && (c.ingressAddress !== undefined || c.ingressSourceRanges !== undefined)) {
            problems.push(`${at}.ingress: ingressAddress/ingressSourceRanges are set but ingress is off (set ingress: true)`);
        }
        if (c.cloud === "kind") {
            // MetalLB announces exactly the configured addresses: there is nothing to allocate.
            if (c.eastWestAddress === undefined) {
                problems.push(`${at}.eastWestAddress: required for cloud "kind" (a free IPv4 on kind's Docker network, see: docker network inspect kind)`);
            }
            if (c.ingress && c.ingressAddress === undefined) {
                problems.push(`${at}.ingressAddress: required for cloud "kind" with ingress on (a free IPv4 on kind's Docker network)`);
            }
            if (c.nodeImage === undefined && role === "remote") {
                warnings.push(
                    `${at}.nodeImage: not set, so kind's default node image decides the Kubernetes version; a remote needs 1.${kubernetesMinors.remoteMin} or newer (e.g. kindest/node:v1.34.0)`,
                );
            }
        }
        // A kind cluster's Kubernetes version is its node image's tag.
        const versionKey = c.cloud === "kind" ? "nodeImage" : "kubernetesVersion";
        const kubernetesVersion =
            c.cloud === "kind"
                ? (c.nodeImage && /:v(\d+\.\d+)\.\d+/.exec(c.nodeImage)?.[1])
                : c.kubernetesVersion ?? (c.cloud === "existing" ? undefined : defaults.kubernetesVersion);
        const shown = show(c.cloud === "kind" ? c.nodeImage : kubernetesVersion);
        if (kubernetesVersion) {
            const minor = kubernetesMinor(kubernetesVersion);
            const range = `1.${kubernetesMinors.min} to 1.${kubernetesMinors.max}`;
            if (minor === undefined) {
                problems.push(`${at}.${versionKey}: ${shown} is not a Kubernetes version such as 1.35`);
            } else if (minor < kubernetesMinors.min || minor > kubernetesMinors.max) {
                problems.push(`${at}.${versionKey}: ${shown} is outside what Istio ${istioMinor.minor} supports (${range})`);
            } else if (role === "remote" && minor < kubernetesMinors.remoteMin) {
                problems.push(
                    `${at}.${versionKey}: ${shown} is too old for a remote: its API server must resolve the injection webhook through EndpointSlices (1.${kubernetesMinors.remoteMin} to 1.${kubernetesMinors.max})`,
                );
            }
        }
        const nodeSize = c.nodeSize ?? defaults.nodeSize[c.cloud];
        if (nodeSize !== undefined && role === "primary") {
            const shape = nodeShape(c.cloud, nodeSize);
            if (shape && (shape.memoryGiB < primaryNodeMinimum.memoryGiB || shape.vcpus < primaryNodeMinimum.vcpus)) {
                problems.push(
                    `${at}.nodeSize: ${show(nodeSize)} (${shape.vcpus} vCPU, ${shape.memoryGiB} GiB) is too small for a primary: istiod alone requests 500m CPU and 2Gi (use at least ${primaryNodeMinimum.vcpus} vCPU and ${primaryNodeMinimum.memoryGiB} GiB, e.g. ${defaults.nodeSize[c.cloud]})`,
                );
            } else if (!shape) {
                warnings.push(`${at}.nodeSize: cannot tell the size of ${show(nodeSize)}; a primary needs at least ${primaryNodeMinimum.vcpus} vCPU and ${primaryNodeMinimum.memoryGiB} GiB per node`);
            }
        }
        let project = c.project;
        if (c.cloud === "gcp" && project === undefined) {
            project = context.gcpProject;
            if (project === undefined) {
                problems.push(`${at}.project: is required for cloud "gcp" when gcp:project is not set`);
            }
        }
        if (c.cloud === "aws" && role === "remote") {
            warnings.push(
                `${at}: an EKS cluster as a remote is a risk: upstream reports its API server's webhook calls to a public IP being refused, so sidecar injection may fail (prefer EKS as a primary)`,
            );
        }
        return {
            name: c.name,
            cloud: c.cloud,
            role,
            primary: c.primary,
            network: c.network ?? `network-${c.name}`,
            region: c.region,
            kubernetesVersion,
            nodeCount: c.nodeCount ?? defaults.nodeCount,
            nodeSize,
            zones: c.zones ?? defaults.zones,
            project,
            singleNatGateway: c.singleNatGateway ?? false,
            deletionProtection: c.deletionProtection ?? true,
            eastWestAddress: c.eastWestAddress,
            kubeconfig: kubeconfigs[c.name],
            eastWestSourceRanges: c.eastWestSourceRanges ?? [],
            ingress: c.ingress ?? false,
            ingressAddress: c.ingressAddress,
            ingressSourceRanges: c.ingressSourceRanges ?? [],
            // Alternate by cluster order, so that every network serves a version.
            helloworldVersion: c.helloworldVersion ?? (i % 2 === 0 ? "v1" : "v2"),
            nodeImage: c.nodeImage,
            creatorArn: c.creatorArn,
            nodeDisk:
                c.cloud === "gcp"
                    ? {
                          sizeGb: c.diskSizeGb ?? gcpNodeDiskDefaults.sizeGb,
                          type: c.diskType ?? gcpNodeDiskDefaults.type,
                          explicit: c.diskSizeGb !== undefined || c.diskType !== undefined,
                      }
                    : undefined,
        };
    });

    // Roles: every remote names a primary of this stack; at least one primary.
    // The first cluster of a name (a later one of the same name is already a problem).
    const byName = new Map(clusters.map((c) => [c.name, c] as const).reverse());
    // Peers take part in the topology: a local remote may be controlled by a peer primary.
    const topology = new Map<string, { role: MeshRole }>([...peers.map((p) => [p.name, p] as const), ...byName]);
    clusters.forEach((c, i) => {
        if (c.role !== "remote" || c.primary === undefined) return;
        const primary = topology.get(c.primary);
        if (c.primary === c.name) {
            problems.push(`clusters[${i}].primary: ${show(c.primary)} is the cluster itself; a cluster cannot be its own primary (${primaries})`);
        } else if (!primary) {
            problems.push(`clusters[${i}].primary: ${show(c.primary)} is not a cluster in this stack or its peers (${primaries})`);
        } else if (primary.role !== "primary") {
            problems.push(`clusters[${i}].primary: ${show(c.primary)} is itself a remote; a remote's primary must have role primary (${primaries})`);
        }
    });
    if (!clusters.some((c) => c.role === "primary") && !peers.some((p) => p.role === "primary")) {
        problems.push(`clusters: no cluster has role primary; a mesh needs at least one primary to run istiod`);
    }
    peers.forEach((p, i) => {
        const at = `peers[${i}]`;
        if (byName.has(p.name) || peers.findIndex((q) => q.name === p.name) !== i) {
            problems.push(`${at}.name: ${show(p.name)} is already a cluster of this stack or an earlier peer; names are unique across the mesh`);
        }
        if (p.role === "remote") {
            const primary = topology.get(p.primary ?? "");
            if (p.primary === undefined) {
                problems.push(`${at}.primary: a remote peer needs the name of its primary (${primaries})`);
            } else if (!primary || primary.role !== "primary") {
                problems.push(`${at}.primary: ${show(p.primary)} is not a primary of this stack or its peers (${primaries})`);
            }
        } else if (p.primary !== undefined) {
            problems.push(`${at}.primary: only a remote names a primary; set role: remote or remove primary`);
        }
    });
    if (input.rootCaFrom !== undefined && input.rootCa !== undefined) {
        problems.push(`rootCa: a stack either brings the mesh root (rootCa) or takes its intermediates from another stack (rootCaFrom), not both`);
    }
    if (input.rootCaFrom !== undefined && !peers.some((p) => p.stack === input.rootCaFrom && p.role === "primary")) {
        problems.push(
            `rootCaFrom: ${show(input.rootCaFrom)} is not the stack of a primary peer (stacks of primary peers: ${[...new Set(peers.filter((p) => p.role === "primary").map((p) => p.stack))].join(", ") || "none"})`,
        );
    }
    for (const name of Object.keys(kubeconfigs)) {
        const c = byName.get(name);
        if (!c || c.cloud !== "existing") {
            problems.push(`kubeconfigs.${name}: no "existing" cluster of that name (existing clusters: ${clusters.filter((x) => x.cloud === "existing").map((x) => x.name).join(", ") || "none"})`);
        }
    }
    // kind API servers and MetalLB addresses live on this machine's Docker network: clouds cannot reach them.
    const cloudClusters = [...new Set(clusters.filter((c) => ["aws", "azure", "gcp"].includes(c.cloud)).map((c) => c.cloud))];
    clusters.forEach((c, i) => {
        if (c.cloud === "kind" && cloudClusters.length > 0) {
            problems.push(
                `clusters[${i}].cloud: "kind" clusters mesh only with kind or existing clusters on the same Docker network (this stack also has ${cloudClusters.join(", ")})`,
            );
        }
    });
    // A remote reaches its primary's istiod only through a static IP: an existing primary must say which.
    clusters.forEach((c, i) => {
        if (c.cloud === "existing" && c.role === "primary" && c.eastWestAddress === undefined && clusters.some((r) => r.primary === c.name)) {
            problems.push(`clusters[${i}].eastWestAddress: required for existing primary ${show(c.name)}: its remotes use it as remotePilotAddress (an IPv4 your load balancer can take)`);
        }
    });

    // Elastic IPs per AWS region: NAT gateways plus each east-west gateway's addresses.
    const eipsByRegion = new Map<string, ClusterConfig[]>();
    for (const c of clusters.filter((x) => x.cloud === "aws" && x.region)) {
        eipsByRegion.set(c.region!, [...(eipsByRegion.get(c.region!) ?? []), c]);
    }
    for (const [region, inRegion] of eipsByRegion) {
        const needed = inRegion.reduce((n, c) => n + elasticIpsOf(c), 0);
        if (needed >= elasticIpQuota) {
            warnings.push(
                `Elastic IPs: the EKS clusters in ${region} (${inRegion.map((c) => c.name).join(", ")}) need ${needed} Elastic IPs (NAT gateways and gateway addresses), ` +
                    `reaching the default quota of ${elasticIpQuota} per region; Elastic IPs of other stacks in the account count too. Request a quota increase, set singleNatGateway, or use fewer zones (at least 2).`,
            );
        }
    }

    // SSD quota per GCP project and region: a regional cluster's disks in every zone, and at
    // creation its temporary default pool (one node per zone).
    const ssdByRegion = new Map<string, { gb: number; names: string[] }>();
    for (const c of clusters.filter((x) => x.cloud === "gcp" && x.nodeDisk && x.nodeDisk.type !== "pd-standard")) {
        const key = `${c.project} ${c.region}`;
        const entry = ssdByRegion.get(key) ?? { gb: 0, names: [] };
        entry.gb += gcpZonesPerRegion * (c.nodeCount + 1) * c.nodeDisk!.sizeGb;
        entry.names.push(c.name);
        ssdByRegion.set(key, entry);
    }
    for (const [key, { gb, names }] of ssdByRegion) {
        const [project, region] = key.split(" ");
        if (gb > gcpSsdQuotaGb) {
            warnings.push(
                `SSD quota: the GKE clusters in ${project}/${region} (${names.join(", ")}) need up to ${gb} GB of SSD-backed node disks (${gcpZonesPerRegion} zones, the temporary default pool included), ` +
                    `over the ${gcpSsdQuotaGb} GB SSD_TOTAL_GB of many new projects; other disks in the region count too. Request a quota increase or set diskType: pd-standard / a smaller diskSizeGb.`,
            );
        }
    }

    // Mesh-wide options that only make sense with what they act on.
    const demo = input.demo ?? defaults.demo;
    if (input.trafficPolicy !== undefined && !demo) {
        problems.push(`trafficPolicy: applies to the helloworld demo, which is off (set demo: true or remove trafficPolicy)`);
    }
    if (input.ingressTls !== undefined && !clusters.some((c) => c.ingress)) {
        problems.push(`ingressTls: no cluster has ingress on (set ingress: true on a cluster or remove ingressTls)`);
    }
    const mtlsMode = input.mtlsMode ?? defaults.mtlsMode;
    if (mtlsMode === "PERMISSIVE") {
        warnings.push(
            `mtlsMode: PERMISSIVE — every primary accepts PLAINTEXT traffic mesh-wide. Use it only while migrating workloads into the mesh, then set it back to STRICT.`,
        );
    }

    // Drop the problems that follow from a rejected value: those of its key path, and every
    // problem of a cluster whose role was rejected (its role defaulted to primary).
    const blocked = rejected.map((p) => p.replace(/^(clusters\[\d+\])\.role$/, "$1"));
    const followsRejected = (problem: string) =>
        blocked.some((p) => problem.startsWith(`${p}:`) || problem.startsWith(`${p}.`) || problem.startsWith(`${p}[`));
    problems.splice(schemaProblems, problems.length - schemaProblems, ...problems.slice(schemaProblems).filter((p) => !followsRejected(p)));
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    warnings.push(...revisionCapacityWarnings(revisionCheck.revisions, clusters));
    return {
        config: {
            meshId: input.meshId ?? defaults.meshId,
            istioVersion,
            ...(revisionCheck.revisions ? { revisions: revisionCheck.revisions } : {}),
            chartRepository,
            imageHub,
            protectRootCa: input.protectRootCa ?? defaults.protectRootCa,
            demo,
            mtlsMode,
            trafficPolicy: {
                localityFailover: input.trafficPolicy?.localityFailover ?? false,
                versionHeader: input.trafficPolicy?.versionHeader ?? false,
            },
            ingressTls: input.ingressTls,
            clusters,
            peers: peers.map((p) => ({ name: p.name, stack: p.stack, role: p.role, network: p.network, primary: p.primary })),
            rootCaFrom: input.rootCaFrom,
            rootCa: input.rootCa,
            adminPrincipals: {
                aws: input.adminPrincipals?.aws ?? [],
                azure: input.adminPrincipals?.azure ?? [],
                gcp: input.adminPrincipals?.gcp ?? [],
            },
        },
        warnings,
    };
}

/**
 * Reads this program's keys from the stack's config (JSON values parsed), rejecting keys it
 * does not know, and validates them.
 */
export function loadMeshConfig(): { config: MeshConfig; warnings: string[] } {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = fullKey.split(":", 2);
        if (namespace !== configNamespace) continue;
        try {
            raw[key] = JSON.parse(value);
        } catch {
            raw[key] = value;
        }
        // Scalars arrive as strings; keep strings that merely look like numbers as strings.
        if (["meshId", "istioVersion", "chartRepository", "imageHub", "mtlsMode", "defaultRevision"].includes(key)) raw[key] = value;
    }
    return parseMeshConfig(raw, { gcpProject: pulumi.runtime.allConfig()["gcp:project"] });
}
