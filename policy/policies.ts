// The policies of the istio-multicloud policy pack, as plain objects and pure functions.
//
// Nothing here talks to the engine: `index.ts` hands these objects to a PolicyPack (which starts
// the gRPC server the CLI connects to), and the tests call the validate functions directly. The
// pack runs from its own folder, so it imports nothing from the program: the few names it shares
// with the program (namespace, gateway name, config keys) are repeated here on purpose.

import type {
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

/** Namespace of Istio's control plane, its root namespace for mesh-wide policy. */
export const istioNamespace = "istio-system";
/** Name of the east-west gateway's release and load-balancer Service. */
export const eastWestGatewayName = "istio-eastwestgateway";

export const types = {
    peerAuthentication: "kubernetes:security.istio.io/v1:PeerAuthentication",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    configMap: "kubernetes:core/v1:ConfigMap",
    service: "kubernetes:core/v1:Service",
    eksCluster: "eks:index:Cluster",
    awsEksCluster: "aws:eks/cluster:Cluster",
    gkeCluster: "gcp:container/cluster:Cluster",
} as const;

/**
 * Kubernetes types that are component resources: they have no provider of their own (their
 * children, which are checked one by one, do).
 */
export const kubernetesComponentTypes: ReadonlySet<string> = new Set([
    "kubernetes:helm.sh/v2:Chart",
    "kubernetes:helm.sh/v3:Chart",
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:yaml:ConfigFile",
    "kubernetes:yaml:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:kustomize:Directory",
    "kubernetes:kustomize/v2:Directory",
]);

export type MtlsMode = "STRICT" | "PERMISSIVE";

/** Pack config of `mesh-mtls-strict`; the switch has the name the stack uses (`istio-multicloud:mtlsMode`). */
export interface MtlsConfig {
    mtlsMode?: MtlsMode;
}

/** Pack config of `gke-deletion-protection`. */
export interface DevStacksConfig {
    devStacks?: string[];
}

export const defaultDevStacks = ["dev", "local"];

// ---------------------------------------------------------------------------------------------
// Reading values the engine may not know yet.

/** Marks a value that is unknown during preview (it depends on a resource not created yet). */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
/** A value read with `peek`: anything, `undefined` when absent, or UNKNOWN. */
type Peeked = unknown;

/**
 * During preview the policy SDK wraps inputs in a proxy that throws an UnknownValueError when a
 * policy reads a value not known yet. Recognised by shape: the class is internal to the SDK.
 */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof Error && "unknownTypeSentinel" in e;
}

/** The value at `path`, `undefined` when absent, or UNKNOWN when the engine does not know it yet. */
export function peek(root: unknown, ...path: (string | number)[]): Peeked {
    try {
        let value: any = root;
        for (const key of path) {
            if (value === null || typeof value !== "object") return undefined;
            value = value[key];
        }
        return value;
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
    return urn.replace(/^urn:pulumi:/, "").split("::")[0];
}

/** The last segment of a URN: the resource's name. */
function nameOfUrn(urn: string): string {
    const parts = urn.split("::");
    return parts[parts.length - 1];
}

/** Default providers are named `default` or `default_<version>[_<download url>]`: their URNs contain `::default`. */
export function isDefaultProviderUrn(urn: string): boolean {
    return /::default(_|$)/.test(urn);
}

/** Which cluster a Kubernetes resource lands in, for messages: its provider's name. */
function clusterOf(provider: PolicyProviderResource | undefined): string {
    if (!provider) return "(no provider)";
    return provider.name || nameOfUrn(provider.urn);
}

function metadataOf(props: unknown): { name: Peeked; namespace: Peeked } {
    return { name: peek(props, "metadata", "name"), namespace: peek(props, "metadata", "namespace") };
}

// ---------------------------------------------------------------------------------------------
// (1) mesh-wide mTLS

/** True for the PeerAuthentication that sets mesh-wide mTLS: `default` in Istio's root namespace. */
export function isMeshWidePeerAuthentication(type: string, props: unknown): boolean {
    if (type !== types.peerAuthentication) return false;
    const { name, namespace } = metadataOf(props);
    return name === "default" && namespace === istioNamespace;
}

/** Modes a mesh-wide PeerAuthentication may have under the configured switch. */
export function allowedMtlsModes(config: MtlsConfig): MtlsMode[] {
    return config.mtlsMode === "PERMISSIVE" ? ["STRICT", "PERMISSIVE"] : ["STRICT"];
}

export const meshMtlsStrict: ResourceValidationPolicy = {
    name: "mesh-mtls-strict",
    description:
        "The mesh-wide PeerAuthentication (default in istio-system) of every primary sets mTLS STRICT, unless the pack's mtlsMode is PERMISSIVE.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: {
        properties: {
            mtlsMode: {
                type: "string",
                enum: ["STRICT", "PERMISSIVE"],
                default: "STRICT",
                description:
                    "Same switch as the stack's istio-multicloud:mtlsMode: PERMISSIVE also accepts a PERMISSIVE mesh-wide policy (only while migrating workloads into the mesh).",
            },
        },
    },
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (!isMeshWidePeerAuthentication(args.type, args.props)) return;
        const config = args.getConfig<MtlsConfig>();
        const allowed = allowedMtlsModes(config);
        const cluster = clusterOf(args.provider);
        // Read without peek: an unknown mode makes the SDK report that the check waits for `up`.
        const spec = args.props.spec;
        if (isRecord(spec) && spec.selector !== undefined && spec.selector !== null) {
            reportViolation(
                `PeerAuthentication ${istioNamespace}/default in cluster ${cluster} has a selector, so it is not mesh-wide: remove spec.selector (mesh-wide mTLS is the policy in the root namespace without a selector).`,
            );
        }
        const mode = isRecord(spec) && isRecord(spec.mtls) ? spec.mtls.mode : undefined;
        if (typeof mode !== "string" || !allowed.includes(mode as MtlsMode)) {
            const shown =
                mode === undefined ? "no spec.mtls.mode (Istio then falls back to PERMISSIVE)" : `spec.mtls.mode ${JSON.stringify(mode)}`;
            const permissive =
                config.mtlsMode === "PERMISSIVE"
                    ? "the pack's mtlsMode is PERMISSIVE, which allows STRICT or PERMISSIVE"
                    : "set istio-multicloud:mtlsMode to STRICT, or while migrating set both the stack's mtlsMode and this policy's mtlsMode to PERMISSIVE";
            reportViolation(
                `PeerAuthentication ${istioNamespace}/default in cluster ${cluster} has ${shown}; mesh-wide mTLS must be ${allowed.join(" or ")} (${permissive}).`,
            );
        }
    },
};

/** The chart a Helm Release installs, without its repository or OCI path: `istiod`. */
function chartName(chart: Peeked): string | undefined {
    if (typeof chart !== "string") return undefined;
    return chart.replace(/\/+$/, "").split("/").pop();
}

/** A primary's istiod: the `istiod` chart without `profile: remote`. UNKNOWN when its values are not known yet. */
export function isPrimaryIstiod(resource: Pick<PolicyResource, "type" | "props">): boolean | typeof UNKNOWN {
    if (resource.type !== types.helmRelease) return false;
    if (chartName(peek(resource.props, "chart")) !== "istiod") return false;
    const profile = peek(resource.props, "values", "profile");
    if (profile === UNKNOWN) return UNKNOWN;
    return profile !== "remote";
}

/** Resources map to clusters through their Kubernetes provider. */
function providerKey(resource: PolicyResource): string {
    return resource.provider?.urn ?? "(no provider)";
}

export const meshMtlsOnEveryPrimary: StackValidationPolicy = {
    name: "mesh-mtls-on-every-primary",
    description:
        "Every cluster that runs istiod as a primary has a mesh-wide PeerAuthentication (default in istio-system), written through the same Kubernetes provider.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        const covered = new Set<string>();
        const primaries: PolicyResource[] = [];
        for (const resource of args.resources) {
            if (isMeshWidePeerAuthentication(resource.type, resource.props)) covered.add(providerKey(resource));
            // A release whose values are not known yet cannot be told apart from a remote: skip it.
            if (isPrimaryIstiod(resource) === true) primaries.push(resource);
        }
        for (const istiod of primaries) {
            if (covered.has(providerKey(istiod))) continue;
            reportViolation(
                `Cluster ${clusterOf(istiod.provider)} runs istiod as a primary (Helm release ${istiod.name}, no profile: remote) but has no PeerAuthentication "default" in ${istioNamespace}: without it the cluster accepts plaintext traffic. ` +
                    `Create one with spec.mtls.mode STRICT through the same Kubernetes provider (Istio objects in a remote are ignored; they belong on every primary).`,
                istiod.urn,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------
// (2) explicit Kubernetes providers

export const kubernetesExplicitProvider: ResourceValidationPolicy = {
    name: "kubernetes-explicit-provider",
    description:
        "Every Kubernetes resource names its cluster's provider; none falls back to the default provider (whatever cluster the local kubeconfig points at).",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (!args.type.startsWith("kubernetes:") || kubernetesComponentTypes.has(args.type)) return;
        const provider = args.provider;
        if (!provider) {
            reportViolation(
                `${args.type} "${args.name}" has no Kubernetes provider: pass the cluster's provider (MeshCluster.provider) in its resource options.`,
            );
        } else if (isDefaultProviderUrn(provider.urn)) {
            reportViolation(
                `${args.type} "${args.name}" uses the default Kubernetes provider (${provider.urn}), which deploys to whatever cluster the local kubeconfig points at: pass the cluster's provider (MeshCluster.provider) in its resource options.`,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------
// (3) no credentials in plain configuration

/** Keys whose value is a credential. */
const credentialKey = "(?:token|bearer[-_]?token|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|client[-_]key[-_]data)";
const credentialKeyName = new RegExp(`^${credentialKey}$`, "i");
/** `token: value` in YAML or `"token": "value"` in JSON text, with a non-empty value. */
const credentialKeyInText = new RegExp(`(?:^|[\\s{,])["']?${credentialKey}["']?\\s*:\\s*["']?(?!null\\b|~)[^\\s"',}\\]]`, "im");
const pemPrivateKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** Base64 of "-----BEGIN" starts like this (kubeconfigs carry keys as client-key-data). */
const base64Pem = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;
/** header.payload.signature, base64url; header and payload are JSON objects, so they start with `eyJ`. */
const jwt = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;

/** What a credential found in a value looks like, and where it is. Never the value itself. */
export interface CredentialFinding {
    path: string;
    kind: string;
}

function isKubeconfigObject(value: unknown): boolean {
    const apiVersion = peek(value, "apiVersion");
    const kind = peek(value, "kind");
    if (apiVersion !== "v1" || kind !== "Config") return false;
    const users = peek(value, "users");
    const clusters = peek(value, "clusters");
    return (users !== undefined && users !== null) || (clusters !== undefined && clusters !== null);
}

function isKubeconfigText(text: string): boolean {
    if (
        /^\s*["']?apiVersion["']?\s*:\s*["']?v1["']?\s*$/m.test(text) &&
        /^\s*["']?kind["']?\s*:\s*["']?Config["']?\s*$/m.test(text) &&
        /^\s*["']?(users|clusters)["']?\s*:/m.test(text)
    ) {
        return true;
    }
    const trimmed = text.trim();
    if (trimmed.startsWith("{")) {
        try {
            return isKubeconfigObject(JSON.parse(trimmed));
        } catch {
            return false;
        }
    }
    return false;
}

/** Kinds of credential a piece of text holds. */
export function credentialsInText(text: string): string[] {
    const kinds: string[] = [];
    if (pemPrivateKey.test(text)) kinds.push("a PEM private key");
    for (const encoded of text.match(base64Pem) ?? []) {
        if (pemPrivateKey.test(Buffer.from(encoded, "base64").toString("utf8"))) {
            kinds.push("a base64-encoded PEM private key");
            break;
        }
    }
    if (jwt.test(text)) kinds.push("a JWT-shaped bearer token");
    if (isKubeconfigText(text)) kinds.push("a kubeconfig");
    if (credentialKeyInText.test(text)) kinds.push("a `token:` key with a value");
    return kinds;
}

function child(path: string, key: string | number): string {
    if (typeof key === "number") return `${path}[${key}]`;
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Credentials anywhere in a value (strings, nested objects and arrays). Values not known yet
 * are skipped: `pulumi up` checks them again once they are.
 */
export function findCredentials(value: unknown, path: string, findings: CredentialFinding[] = [], depth = 0): CredentialFinding[] {
    if (depth > 64 || value === UNKNOWN) return findings;
    if (typeof value === "string") {
        for (const kind of credentialsInText(value)) findings.push({ path, kind });
        return findings;
    }
    if (value === null || typeof value !== "object") return findings;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) findCredentials(peek(value, i), child(path, i), findings, depth + 1);
        return findings;
    }
    if (isKubeconfigObject(value)) findings.push({ path, kind: "a kubeconfig" });
    for (const key of Object.keys(value)) {
        const v = peek(value, key);
        if (credentialKeyName.test(key) && typeof v === "string" && v.trim() !== "") {
            findings.push({ path: child(path, key), kind: `a \`${key}:\` key with a value` });
            continue;
        }
        findCredentials(v, child(path, key), findings, depth + 1);
    }
    return findings;
}

/** One finding per path, naming every kind found there. */
function byPath(findings: CredentialFinding[]): CredentialFinding[] {
    const kinds = new Map<string, string[]>();
    for (const f of findings) {
        const list = kinds.get(f.path) ?? [];
        if (!list.includes(f.kind)) list.push(f.kind);
        kinds.set(f.path, list);
    }
    return [...kinds].map(([path, list]) => ({ path, kind: list.join(" and ") }));
}

/** Credentials in the parts of a resource where none belong. Secrets are not scanned: that is where they go. */
export function credentialFindings(type: string, props: unknown): CredentialFinding[] {
    const findings: CredentialFinding[] = [];
    if (!type.startsWith("kubernetes:")) return findings;
    findCredentials(peek(props, "metadata", "annotations"), "metadata.annotations", findings);
    if (type === types.configMap) {
        findCredentials(peek(props, "data"), "data", findings);
        const binary = peek(props, "binaryData");
        if (isRecord(binary)) {
            for (const key of Object.keys(binary)) {
                const encoded = peek(binary, key);
                if (typeof encoded !== "string") continue;
                findCredentials(Buffer.from(encoded, "base64").toString("utf8"), child("binaryData", key), findings);
            }
        }
    }
    if (type === types.helmRelease || type === "kubernetes:helm.sh/v3:Chart" || type === "kubernetes:helm.sh/v4:Chart") {
        findCredentials(peek(props, "values"), "values", findings);
    }
    return byPath(findings);
}

export const noCredentialsInPlainConfig: ResourceValidationPolicy = {
    name: "no-credentials-in-plain-config",
    description:
        "No private key, bearer token or kubeconfig in a ConfigMap's data, in any Kubernetes resource's annotations, or in a Helm release's values (they belong in Secrets).",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const finding of credentialFindings(args.type, args.props)) {
            reportViolation(
                `${args.type} "${args.name}": ${finding.path} holds ${finding.kind}. ConfigMaps, annotations and Helm values are stored and shown in plain text ` +
                    `(kubectl, Helm release history, Pulumi diffs): put the credential in a Kubernetes Secret and reference it (remote secrets and cacerts are Secrets).`,
            );
        }
    },
};

// ---------------------------------------------------------------------------------------------
// (4) east-west gateway sources

const openToAll = ["0.0.0.0/0", "::/0"];

export const eastWestSourceRanges: ResourceValidationPolicy = {
    name: "eastwest-gateway-source-ranges",
    description:
        "The east-west gateway's load balancer (Service istio-eastwestgateway) accepts only the sources that need it, not the whole internet.",
    enforcementLevel: "advisory",
    severity: "medium",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.service) return;
        if (metadataOf(args.props).name !== eastWestGatewayName) return;
        if (peek(args.props, "spec", "type") !== "LoadBalancer") return;
        const ranges = args.props.spec.loadBalancerSourceRanges;
        const open = !Array.isArray(ranges) || ranges.length === 0;
        const world = Array.isArray(ranges) ? ranges.filter((r) => openToAll.includes(String(r).trim())) : [];
        if (!open && world.length === 0) return;
        const why = open ? "has no spec.loadBalancerSourceRanges" : `allows ${world.join(" and ")}`;
        reportViolation(
            `Service ${eastWestGatewayName} in cluster ${clusterOf(args.provider)} ${why}, so its load balancer accepts the whole internet. ` +
                `Set the cluster's eastWestSourceRanges (clusters[].eastWestSourceRanges in the stack config) to the sources each port needs: ` +
                `15443 (mTLS between networks) from the other networks' east-west gateway and egress IPs (stack output clusters.*.egressIps); ` +
                `15012 and 15017 (istiod and its injection webhook, on a primary with remotes) from the API servers and nodes of its remotes; ` +
                `15021 (status) from the cloud's load-balancer health checkers.`,
        );
    },
};

// ---------------------------------------------------------------------------------------------
// (5) EKS public API endpoint

/** EKS makes the endpoint public unless told otherwise, and open to 0.0.0.0/0 without a CIDR list. */
function publicEndpointProblem(publicAccess: Peeked, cidrs: Peeked): string | undefined {
    if (publicAccess === false) return undefined;
    if (cidrs === undefined || cidrs === null || (Array.isArray(cidrs) && cidrs.length === 0)) {
        return "a public API endpoint without publicAccessCidrs (EKS then allows 0.0.0.0/0)";
    }
    if (Array.isArray(cidrs) && cidrs.some((c) => openToAll.includes(String(c).trim()))) {
        return "a public API endpoint open to 0.0.0.0/0";
    }
    return undefined;
}

export const eksPublicEndpoint: ResourceValidationPolicy = {
    name: "eks-public-endpoint-restricted",
    description: "An EKS cluster's public API endpoint is limited to the mesh's egress IPs and CI, not open to the world.",
    enforcementLevel: "advisory",
    severity: "medium",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        let problem: string | undefined;
        if (args.type === types.eksCluster) {
            problem = publicEndpointProblem(peek(args.props, "endpointPublicAccess"), peek(args.props, "publicAccessCidrs"));
        } else if (args.type === types.awsEksCluster) {
            problem = publicEndpointProblem(
                peek(args.props, "vpcConfig", "endpointPublicAccess"),
                peek(args.props, "vpcConfig", "publicAccessCidrs"),
            );
        }
        if (!problem) return;
        reportViolation(
            `EKS cluster "${args.name}" has ${problem}. It must stay public: istiod in the other clouds reads this API server through its remote secret, and CI deploys through it. ` +
                `Limit it to the mesh's egress IPs (stack output clusters.*.egressIps, every cluster's NAT/outbound addresses) plus your CI runners' range.`,
        );
    },
};

// ---------------------------------------------------------------------------------------------
// (6) GKE deletion protection

export const gkeDeletionProtection: ResourceValidationPolicy = {
    name: "gke-deletion-protection",
    description: "GKE clusters keep deletion protection outside the dev stacks.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: {
        properties: {
            devStacks: {
                type: "array",
                items: { type: "string" },
                default: defaultDevStacks,
                description: "Stacks where a GKE cluster may go without deletion protection (throwaway environments).",
            },
        },
    },
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.gkeCluster) return;
        if (peek(args.props, "deletionProtection") !== false) return;
        const devStacks = args.getConfig<DevStacksConfig>().devStacks ?? defaultDevStacks;
        const stack = stackOfUrn(args.urn);
        if (devStacks.includes(stack)) return;
        reportViolation(
            `GKE cluster "${args.name}" has deletionProtection false in stack "${stack}", which is not a dev stack (${devStacks.join(", ")}): ` +
                `remove deletionProtection: false from its entry in clusters (the default is true); turn it off only just before a deliberate pulumi destroy.`,
        );
    },
};

// ---------------------------------------------------------------------------------------------

/** Every policy of the pack, in the order the CLI lists them. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
    meshMtlsStrict,
    meshMtlsOnEveryPrimary,
    kubernetesExplicitProvider,
    noCredentialsInPlainConfig,
    eastWestSourceRanges,
    eksPublicEndpoint,
    gkeDeletionProtection,
];

export const packName = "istio-multicloud";
/** Level of any policy that does not set its own (each of ours does). */
export const packEnforcementLevel: EnforcementLevel = "advisory";
