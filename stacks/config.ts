/**
 * The config model: one zod schema (per-cloud cluster variants, defaults inside it) from which
 * the types derive, the rules it cannot express (stacks/configRules.ts), and docs/configuration.md's
 * configuration reference (tools/configDocs). The program, the offline plan and the split-stack
 * orchestrator all read config through `parseMeshConfig`.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { Cloud, MeshRole } from "../components/clusters/cluster";
import { allClouds, cloudModule, clusterSchema, clusterVariants } from "../clouds";
import { defaultZones, elasticIpsOf } from "../clouds/aws";
import { clusterDefaults, ipv4 } from "../clouds/cloud";
import { defaultChartRepository, defaultImageHub, defaultIstioVersion } from "../components/mesh/istioReleases";
import { checkMeshConfig, helloworldDefaults, redactor } from "./configRules";
import { checkRevisions, MeshRevisions, revisionExpectations, revisionsSchema } from "./revisions";

/** The clouds that grant cluster admin to `adminPrincipals.<cloud>`, in registry order. */
const adminClouds = allClouds().flatMap((m) => (m.adminPrincipals ? [{ name: m.name, adminPrincipals: m.adminPrincipals }] : []));

/** Config namespace of every key this program reads. */
export const configNamespace = "istio-multicloud";

export { clusterVariants, elasticIpsOf, ipv4 };

export const defaults = {
    meshId: "mesh1",
    istioVersion: defaultIstioVersion,
    chartRepository: defaultChartRepository,
    imageHub: defaultImageHub,
    protectRootCa: true,
    demo: false,
    mtlsMode: "STRICT" as MtlsMode,
    ...clusterDefaults,
    zones: defaultZones,
    /** Node size per cloud, from the clouds that size nodes. */
    nodeSize: Object.fromEntries(allClouds().flatMap((m) => (m.defaultNodeSize ? [[m.name, m.defaultNodeSize]] : []))) as Record<
        string,
        string
    >,
};

export const dnsLabel = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const stackName = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const dnsName = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Mesh-wide mTLS: STRICT refuses plaintext; PERMISSIVE accepts it, for migrations only. */
export type MtlsMode = "STRICT" | "PERMISSIVE";
/** Versions of the helloworld demo. */
export type HelloworldVersion = "v1" | "v2";

/** What docs/configuration.md's reference says of a key (the schema says the rest). */
export interface KeyDoc {
    /** What the key means, in docs/configuration.md's words. */
    doc: string;
    /** The default as a reader should see it; absent: from the schema's own default, or "none". */
    defaultText?: string;
    /** Type as the reference names it; absent: derived from the schema. */
    typeText?: string;
    /** A secret: errors name the key and what is wrong, never its value. */
    secret?: boolean;
    /** Why a value under the key's minimum is refused, as the message's rest after the value. */
    tooSmall?: string;
    /** What a value of the right form looks like, for the schema's format messages. */
    expected?: string;
}

type CloudName = keyof typeof clusterVariants;
const clouds = Object.keys(clusterVariants) as CloudName[];

type AllKeys<U> = U extends unknown ? keyof U : never;
type ValueOf<U, K extends PropertyKey> = U extends unknown ? (K extends keyof U ? U[K] : undefined) : never;
export type ClusterKey = AllKeys<z.input<typeof clusterSchema>>;

/** The clouds whose variant takes a key. */
export function cloudsOf(key: string): CloudName[] {
    return clouds.filter((c) => key in clusterVariants[c].shape);
}

/** What docs/configuration.md says of the keys several clouds share (each cloud's own keys: its module). */
const sharedClusterDocs = {
    name: { doc: "DNS-1123 label, unique; also the Istio cluster ID", defaultText: "required" },
    cloud: { doc: "`aws`, `azure`, `gcp`, `existing` or `kind` (local, see [kind.md](kind.md))", defaultText: "required" },
    region: {
        doc: "AWS region (one of the AWS SDK's), GCP region or Azure location; malformed names are errors, unknown GCP/Azure names warnings (lists vendored in `stacks/regions.ts`)",
        defaultText: "required",
    },
    network: {
        doc: "Istio network (`topology.istio.io/network`): a Kubernetes label value (at most 63 characters, letters, digits, `-`, `_`, `.`, alphanumeric at both ends)",
        defaultText: "`network-<name>`",
    },
    role: { doc: "`primary` (runs istiod) or `remote`" },
    primary: { doc: "the primary cluster that controls it", defaultText: "required for a remote" },
    kubernetesVersion: {
        doc: "inside the range of the configured Istio minor (1.31: 1.33–1.37, unconfirmed; 1.30: 1.32–1.36), 1.33+ on a remote; EKS takes major.minor only (`1.35`), AKS and GKE also a patch",
        defaultText: "`1.35` (clouds)",
    },
    nodeCount: { doc: "nodes of the node pool (GKE: per zone of the region)" },
    nodeSize: {
        doc: "a primary needs at least 2 vCPU and 8 GiB per node",
        defaultText: Object.values(defaults.nodeSize)
            .map((size) => `\`${size}\``)
            .join(" / "),
    },
    eastWestAddress: {
        doc: "the IPv4 your load balancer gives the east-west gateway; required on an existing primary with remotes and on every kind cluster; not 0.0.0.0/8, loopback, link-local, multicast or broadcast, and no other gateway's",
    },
    eastWestSourceRanges: {
        doc: "IPv4 CIDRs allowed to reach the east-west load balancer (see [gateways.md](gateways.md))",
        defaultText: "any source",
    },
    ingress: { doc: "run a north-south ingress gateway on a static address of its own (dev: on for the primaries)" },
    ingressAddress: {
        doc: "the IPv4 your load balancer gives the ingress gateway (required on kind with ingress); not the east-west address",
    },
    ingressSourceRanges: { doc: "IPv4 CIDRs allowed to reach the ingress load balancer", defaultText: "any source" },
    helloworldVersion: {
        doc: "demo version this cluster serves",
        defaultText: "`v1` on primaries, `v2` on remotes; without remotes, primaries by name take `v1`, `v2` in turn",
    },
};

/**
 * The reference's order of the cluster keys (as it was before each cloud had a module, so that the
 * reference reads as before); keys not listed, such as a new cloud's, follow in its module's order.
 */
const referenceOrder: string[] = [
    "name",
    "cloud",
    "region",
    "network",
    "role",
    "primary",
    "kubernetesVersion",
    "nodeCount",
    "nodeSize",
    "zones",
    "singleNatGateway",
    "project",
    "deletionProtection",
    "eastWestAddress",
    "eastWestSourceRanges",
    "ingress",
    "ingressAddress",
    "nodeImage",
    "ingressSourceRanges",
    "diskSizeGb",
    "diskType",
    "creatorArn",
    "helloworldVersion",
];
const allClusterDocs: Record<string, KeyDoc> = Object.assign({}, sharedClusterDocs, ...allClouds().map((m) => m.keyDocs));
/** What docs/configuration.md says of each key of a cluster entry, in its order. */
export const clusterDocs = Object.fromEntries(
    [...referenceOrder.filter((k) => k in allClusterDocs), ...Object.keys(allClusterDocs).filter((k) => !referenceOrder.includes(k))].map(
        (k) => [k, allClusterDocs[k]],
    ),
) as Record<ClusterKey, KeyDoc>;

/** The keys of the whole stack config and what docs/configuration.md says of each. */
export const topFields = {
    meshId: { schema: z.string().regex(dnsLabel).default(defaults.meshId), doc: "Istio `global.meshID` of every cluster" },
    istioVersion: {
        schema: z
            .string()
            .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/)
            .default(defaults.istioVersion),
        doc: "chart version of `base`, `istiod`, `gateway`: `1.30.4` or a later 1.30.x, or any 1.31.x release; other minors, 1.30.0–1.30.3 and pre-releases are errors (see [upgrades.md](upgrades.md))",
    },
    revisions: {
        schema: revisionsSchema.revisions,
        doc: "`[{name, version}]`: canary control planes, one istiod per revision in every cluster (name a DNS label such as `1-31`, `default` for the unrevisioned install you have; version a supported Istio release); instead of `istioVersion` (see [upgrades.md](upgrades.md#upgrading-istio))",
        typeText: "list",
    },
    defaultRevision: {
        schema: revisionsSchema.defaultRevision,
        doc: "the revision the `default` tag points at (namespaces labelled `istio-injection=enabled` and the gateways); required with more than one revision",
        defaultText: "the only revision",
    },
    chartRepository: {
        schema: z
            .string()
            .regex(/^(https:\/\/|oci:\/\/)\S+$/)
            .default(defaults.chartRepository),
        doc: "Helm repo, or an `oci://` registry path such as `oci://ghcr.io/istio/release/charts`, or your mirror; Istio's retired locations are errors",
    },
    imageHub: {
        schema: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/)
            .default(defaults.imageHub),
        doc: "registry path of Istio's images (istiod, every injected proxy and gateway, the demo's helloworld), e.g. a mirror or pull-through cache; must be reachable from every cluster its primary injects, and the same in every stack of a split mesh",
    },
    protectRootCa: {
        schema: z.boolean().default(defaults.protectRootCa),
        doc: "protect the mesh root CA from deletion/replacement (dev sets `false`)",
    },
    demo: {
        schema: z.boolean().default(defaults.demo),
        doc: "deploy the helloworld demo and a curl client in every cluster (dev sets `true`)",
    },
    mtlsMode: {
        schema: z.enum(["STRICT", "PERMISSIVE"]).default(defaults.mtlsMode),
        doc: "mesh-wide mTLS on every primary; `PERMISSIVE` only while migrating (the program warns)",
    },
    trafficPolicy: {
        schema: z.strictObject({ localityFailover: z.boolean().default(false), versionHeader: z.boolean().default(false) }).optional(),
        doc: "`{localityFailover: bool, versionHeader: bool}` for the demo (needs `demo: true`), see [topology.md](topology.md#the-demo-and-its-traffic-policy)",
        defaultText: "off",
    },
    ingressTls: {
        schema: z.strictObject({ host: z.string().regex(dnsName), credentialName: z.string().regex(dnsLabel) }).optional(),
        doc: "`{host, credentialName}`: the ingress load balancers open 443 (without it they do not), and with the demo its ingress Gateway serves HTTPS for `host` (a DNS name of at most 253 characters) with your certificate Secret and redirects HTTP; needs a cluster with `ingress: true`",
    },
    clusters: { schema: z.array(clusterSchema).min(1), doc: "the clusters, below", defaultText: "required" },
    peers: {
        schema: z
            .array(
                z.strictObject({
                    name: z.string().regex(dnsLabel),
                    stack: z.string().regex(stackName),
                    role: z.enum(["primary", "remote"]),
                    network: z.string().min(1),
                    primary: z.string().optional(),
                }),
            )
            .default([]),
        doc: "clusters of the mesh owned by other stacks: `{name, stack, role, network, primary}` (see [split-stacks.md](split-stacks.md)); `stack` is another stack than this one",
        defaultText: "none",
    },
    rootCaFrom: {
        schema: z.string().regex(stackName).optional(),
        doc: "fully qualified stack that owns the mesh root and issues this stack's intermediates; unset: this stack owns the root",
    },
    rootCa: {
        schema: z
            .strictObject({
                certPem: z.string().regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/),
                keyPem: z.string().regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----/),
            })
            .optional(),
        doc: "`{certPem, keyPem}`: a mesh root you bring (e.g. from your PKI) instead of one generated in this stack: a CA certificate and its own key; every stack of a split mesh may bring the same one instead of using `rootCaFrom`",
        typeText: "secret object",
        secret: true,
    },
    kubeconfigs: {
        schema: z.record(z.string(), z.string().min(1)).optional(),
        doc: "`{<cluster>: <kubeconfig>}` for `existing` clusters, kept out of `clusters` so that list stays readable; each must be YAML whose current context names an `https://` server and inlines `certificate-authority-data`",
        typeText: "secret map",
        secret: true,
    },
    // One key per cloud that grants cluster admin (its module's adminPrincipals).
    adminPrincipals: {
        schema: z
            .strictObject(Object.fromEntries(adminClouds.map((m) => [m.name, z.array(m.adminPrincipals.schema).default([])])))
            .default(Object.fromEntries(adminClouds.map((m) => [m.name, []]))),
        doc:
            `\`{${adminClouds.map((m) => `${m.name}: [${m.adminPrincipals.called}]`).join(", ")}}\` granted cluster admin on every created cluster (e.g. the CI identity); ` +
            ["no duplicates", ...adminClouds.flatMap((m) => m.adminPrincipals.note ?? [])].join(", "),
        defaultText: "none",
    },
} satisfies Record<string, KeyDoc & { schema: z.ZodType }>;

export type TopKey = keyof typeof topFields;

/** The stack config as written, defaults applied: what the schema alone decides. */
export const configInputSchema = z.strictObject(
    Object.fromEntries(Object.entries(topFields).map(([k, f]) => [k, f.schema])) as { [K in TopKey]: (typeof topFields)[K]["schema"] },
);

/** Top-level keys whose values are secret: never shown in a message. */
export const secretKeys: string[] = Object.entries(topFields)
    .filter(([, f]) => (f as KeyDoc).secret)
    .map(([k]) => k);

/** What parseMeshConfig knows beyond the stack's own keys. */
export interface ConfigContext {
    /** `gcp:project`, the fallback of every GCP cluster's project. */
    gcpProject?: string;
    /** Fully qualified name of this stack, when known: a peer cannot be this stack. */
    stack?: string;
    /** Keys (without namespace) that Pulumi holds as secrets: treated like `kubeconfigs`. */
    secretKeys?: string[];
}

type ConfigInput = z.output<typeof configInputSchema>;
type ClusterInput = ConfigInput["clusters"][number];
/**
 * A cluster entry with every default applied, flattened over the cloud variants: a key of
 * another cloud is undefined, except the sizing and gateway keys the program reads for every
 * cluster, which keep their defaults.
 */
function resolveCluster(c: ClusterInput, i: number, input: ConfigInput, context: ConfigContext, versions: Map<string, HelloworldVersion>) {
    const flat = c as { [K in AllKeys<ClusterInput>]: ValueOf<ClusterInput, K> };
    const own = cloudModule(c.cloud).resolve(c, input, context);
    return {
        name: c.name,
        cloud: c.cloud as Cloud,
        role: c.role as MeshRole,
        /** For a remote: the primary that controls it. */
        primary: c.primary,
        network: c.network ?? `network-${c.name}`,
        /** Region or Azure location; undefined for `existing` and `kind`. */
        region: flat.region,
        kubernetesVersion: own.kubernetesVersion,
        nodeCount: flat.nodeCount ?? defaults.nodeCount,
        nodeSize: flat.nodeSize,
        zones: flat.zones ?? defaults.zones,
        /** GCP project. */
        project: own.project,
        singleNatGateway: flat.singleNatGateway ?? false,
        deletionProtection: flat.deletionProtection ?? true,
        /** For `existing` and `kind`: the IPv4 its east-west gateway Service takes. */
        eastWestAddress: flat.eastWestAddress,
        /** For `existing`: its kubeconfig (secret config). */
        kubeconfig: own.kubeconfig,
        /** Sources allowed to reach the east-west load balancer; empty: any. */
        eastWestSourceRanges: c.eastWestSourceRanges,
        /** Run a north-south ingress gateway on a static address. */
        ingress: c.ingress,
        /** For `existing` and `kind`: the IPv4 its ingress gateway Service takes. */
        ingressAddress: flat.ingressAddress,
        /** Sources allowed to reach the ingress load balancer; empty: any. */
        ingressSourceRanges: c.ingressSourceRanges,
        /** Version of the helloworld demo this cluster runs. */
        helloworldVersion: (c.helloworldVersion ?? versions.get(c.name)!) as HelloworldVersion,
        /** For `kind`: the node image (kind's default when omitted). */
        nodeImage: flat.nodeImage,
        /** For `gcp`: node boot disks; `explicit` when the user set either key. */
        nodeDisk: own.nodeDisk,
        /** For `aws`: the principal that created the EKS cluster, when the state does not record it. */
        creatorArn: flat.creatorArn,
    };
}

/** The whole validated config: the schema's output, clusters resolved. */
function resolveConfig(input: ConfigInput, context: ConfigContext) {
    const versions = helloworldDefaults(input.clusters, input.peers);
    // With revisions, `istioVersion` is the newest revision's (that of `base` and the contract).
    const revisionCheck = checkRevisions(input, defaults.istioVersion);
    const { defaultRevision: _defaultRevision, ...rest } = input;
    return {
        ...rest,
        istioVersion: revisionCheck.istioVersion ?? input.istioVersion,
        /** Canary control-plane revisions and the default tag's target; undefined: one unrevisioned control plane. */
        revisions: revisionCheck.revisions as MeshRevisions | undefined,
        /** Optional traffic policy for the demo. */
        trafficPolicy: input.trafficPolicy ?? { localityFailover: false, versionHeader: false },
        clusters: input.clusters.map((c, i) => resolveCluster(c, i, input, context, versions)),
        /** Clusters of the mesh owned by other stacks; nothing is installed in them. */
        peers: input.peers.map((p) => ({ ...p, role: p.role as MeshRole })),
    };
}

/** The model as one schema: the stack config in, the validated MeshConfig out (rules aside). */
export const meshConfigSchema = (context: ConfigContext = {}) => configInputSchema.transform((input) => resolveConfig(input, context));

/** The whole validated stack config. */
export type MeshConfig = z.output<ReturnType<typeof meshConfigSchema>>;
/** A validated cluster entry with every default applied. */
export type ClusterConfig = MeshConfig["clusters"][number];
/** A cluster of the mesh that another stack owns: known here so the topology is whole. */
export type PeerConfig = MeshConfig["peers"][number];
/** The config as written, with the schema's defaults: what the rules check beside the result. */
export type MeshConfigInput = ConfigInput;

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

const show = (v: unknown) => JSON.stringify(v);
const article = (word: string) => (/^[aeiou]/.test(word) ? "an" : "a");

/** Which keys take which kind of value, for messages. */
const expectations: Record<string, string> = {
    meshId: "a DNS-1123 label such as mesh1",
    istioVersion: `a full Istio version such as ${defaultIstioVersion}`,
    chartRepository: "an https:// or oci:// URL",
    imageHub: `an image registry path without scheme or tag, such as ${defaultImageHub} or 123456789012.dkr.ecr.us-west-2.amazonaws.com/istio`,
    ...Object.fromEntries(adminClouds.map((m) => [`adminPrincipals.${m.name}`, m.adminPrincipals.expected])),
    "clusters.eastWestSourceRanges": "IPv4 CIDRs such as 203.0.113.0/24",
    // A cloud's own cluster keys say it in their module's keyDocs.
    ...Object.fromEntries(Object.entries(allClusterDocs).flatMap(([k, d]) => (d.expected ? [[`clusters.${k}`, d.expected]] : []))),
    "clusters.ingressSourceRanges": "IPv4 CIDRs such as 203.0.113.0/24",
    "ingressTls.host": "a DNS name such as hello.example.com",
    "ingressTls.credentialName": "the name of a TLS Secret in istio-ingress, such as hello-tls",
    "peers.name": "a DNS-1123 label",
    "peers.stack": "a fully qualified stack name such as acme/istio-multicloud/aks-team",
    rootCaFrom: "a fully qualified stack name such as acme/istio-multicloud/eks-team",
    "rootCa.certPem": "a PEM certificate (-----BEGIN CERTIFICATE-----)",
    "rootCa.keyPem": "a PEM private key (-----BEGIN ... PRIVATE KEY-----)",
    ...revisionExpectations,
    kubeconfigs: "a map of existing cluster name to kubeconfig",
};

/** The valid keys of each object of the config, for messages. */
const keysAt: Record<string, string[]> = {
    "": Object.keys(topFields),
    clusters: [
        "name",
        "cloud",
        "region",
        "network",
        "role",
        "primary",
        "kubernetesVersion",
        "nodeCount",
        "nodeSize",
        "zones",
        "project",
        "singleNatGateway",
        "deletionProtection",
        "eastWestAddress",
        "eastWestSourceRanges",
        "ingress",
        "ingressAddress",
        "ingressSourceRanges",
        "helloworldVersion",
        "nodeImage",
        "diskSizeGb",
        "diskType",
        "creatorArn",
    ],
    adminPrincipals: adminClouds.map((m) => m.name),
    trafficPolicy: ["localityFailover", "versionHeader"],
    ingressTls: ["host", "credentialName"],
    peers: ["name", "stack", "role", "network", "primary"],
    revisions: ["name", "version"],
    rootCa: ["certPem", "keyPem"],
};

const secretNote = "(secret: its value is not shown)";

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, isSecret: (path: ReadonlyArray<PropertyKey>) => boolean): string {
    const at = keyPath(issue.path);
    const value = valueAt(raw, issue.path);
    const generic = at.replace(/\[\d+\]/g, "");
    const secret = isSecret(issue.path);
    switch (issue.code) {
        case "unrecognized_keys": {
            const valid = (keysAt[generic] ?? []).join(", ") || "see docs/configuration.md";
            const cloud = generic === "clusters" ? (valueAt(raw, issue.path) as { cloud?: CloudName })?.cloud : undefined;
            return issue.keys
                .map((k) => {
                    const takenBy = generic === "clusters" ? cloudsOf(k) : [];
                    if (takenBy.length > 0 && cloud) return `${at}.${k}: not used for cloud "${cloud}" (only for ${takenBy.join(", ")})`;
                    return `${at ? `${at}.` : ""}${k}: unknown key (valid keys: ${valid})`;
                })
                .join("\n");
        }
        case "invalid_union": {
            // A cluster entry whose cloud names no variant (the issue's path ends at `cloud`).
            const options = ((issue as { options?: unknown[] }).options ?? clouds).map(String).join(", ");
            if (value === undefined) return `${at}: is required (valid: ${options})`;
            return `${at}: ${show(value)} is not valid (valid: ${options})`;
        }
        case "invalid_value": {
            const valid = issue.values.map((v) => String(v)).join(", ");
            if (value === undefined) return `${at}: is required (valid: ${valid})`;
            return `${at}: ${secret ? "is" : `${show(value)} is`} not valid (valid: ${valid})${secret ? ` ${secretNote}` : ""}`;
        }
        case "invalid_type": {
            const expected = issue.expected === "int" ? "integer" : issue.expected;
            if (value === undefined) return `${at}: is required (${expected})`;
            if (secret)
                return `${at}: is not ${article(expected)} ${expected}${expectations[generic] ? ` (${expectations[generic]})` : ""} ${secretNote}`;
            return `${at}: ${show(value)} is not ${article(expected)} ${expected}`;
        }
        case "invalid_format":
            if (secret) return `${at}: is not ${expectations[generic] ?? issue.format} ${secretNote}`;
            return `${at}: ${show(value)} is not valid (expected ${expectations[generic] ?? issue.format})`;
        case "too_small": {
            // A cluster key whose cloud says why it has its minimum (EKS: two zones).
            const tooSmall = generic.startsWith("clusters.") ? allClusterDocs[generic.slice("clusters.".length)]?.tooSmall : undefined;
            if (tooSmall) return `${at}: ${show(value)} ${tooSmall}`;
            if (Array.isArray(value)) return `${at}: needs at least ${issue.minimum} entr${issue.minimum === 1 ? "y" : "ies"}`;
            if (typeof value === "string") return `${at}: must not be empty`;
            if (secret) return `${at}: is too small (minimum ${issue.minimum}) ${secretNote}`;
            return `${at}: ${show(value)} is too small (minimum ${issue.minimum})`;
        }
        case "too_big":
            if (secret) return `${at}: is too large (maximum ${issue.maximum}) ${secretNote}`;
            return `${at}: ${show(value)} is too large (maximum ${issue.maximum})`;
        default:
            return `${at}: is not valid${secret ? ` ${secretNote}` : ` (${issue.message})`}`;
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

/**
 * Validates raw stack config (values as Pulumi hands them over, JSON already parsed) and
 * applies defaults. Throws a ConfigError listing every problem; returns warnings to log. No
 * message shows a secret value.
 */
export function parseMeshConfig(raw: Record<string, unknown>, context: ConfigContext = {}): { config: MeshConfig; warnings: string[] } {
    const secret = new Set([...secretKeys, ...(context.secretKeys ?? [])]);
    const isSecret = (path: ReadonlyArray<PropertyKey>) => secret.has(String(path[0]));
    const redact = redactor(
        Object.entries(raw)
            .filter(([k]) => secret.has(k))
            .map(([, v]) => v),
    );
    const fail = (problems: string[]) => new ConfigError(problems.map(redact));

    const problems: string[] = [];
    let parsed = configInputSchema.safeParse(raw);
    // Key paths of the values the schema rejected.
    const rejected: string[] = [];
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            problems.push(...describeIssue(issue, raw, isSecret).split("\n"));
        }
        // Report the other problems too: check the config again without the rejected values (their
        // keys fall back to defaults). A rejected required value (name, cloud, clusters) ends it here.
        const rest = withoutRejected(raw, parsed.error.issues, rejected);
        if (rest !== undefined) parsed = configInputSchema.safeParse(rest);
        if (!parsed.success) throw fail(problems);
    }
    const input = parsed.data;
    const config = resolveConfig(input, context);
    const rules = checkMeshConfig(input, config, context);

    // Drop the problems that follow from a rejected value: those of its key path, and every
    // problem of a cluster whose role was rejected (its role defaulted to primary).
    const blocked = rejected.map((p) => p.replace(/^(clusters\[\d+\])\.role$/, "$1"));
    const followsRejected = (problem: string) =>
        blocked.some((p) => problem.startsWith(`${p}:`) || problem.startsWith(`${p}.`) || problem.startsWith(`${p}[`));
    problems.push(...rules.problems.filter((p) => !followsRejected(p)));
    if (problems.length > 0) throw fail(problems);
    return { config, warnings: rules.warnings.map(redact) };
}

/** Whether Pulumi holds a config key as a secret (the SDK keeps this internal). */
function isConfigSecret(fullKey: string): boolean {
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
        return runtimeConfig.isConfigSecret?.(fullKey) ?? false;
    } catch {
        return false;
    }
}

/** This stack's fully qualified name, when the engine says it. */
function thisStack(): string | undefined {
    try {
        return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    } catch {
        return undefined;
    }
}

/**
 * Reads this program's keys from the stack's config (JSON values parsed), rejecting keys it
 * does not know, and validates them.
 */
export function loadMeshConfig(): { config: MeshConfig; warnings: string[] } {
    const all = pulumi.runtime.allConfig();
    const secret = Object.keys(all)
        .filter((k) => k.startsWith(`${configNamespace}:`) && isConfigSecret(k))
        .map((k) => k.slice(configNamespace.length + 1));
    return parseMeshConfig(rawMeshConfig(all), { gcpProject: all["gcp:project"], stack: thisStack(), secretKeys: secret });
}

/**
 * This program's keys out of config as Pulumi hands it over (full keys to strings, JSON for
 * objects and lists), ready for parseMeshConfig: the program, the plan and the orchestrator read
 * stack config the same way.
 */
export function rawMeshConfig(values: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(values)) {
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
    return raw;
}
