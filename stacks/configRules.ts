/**
 * The rules of the config model that a schema cannot say: between keys, against the clouds'
 * limits, against what a secret value holds. Each problem names its key path, the bad value and
 * what is valid, except for secret keys, whose values (and lines of them) are never shown.
 */
import { createPrivateKey, X509Certificate } from "crypto";
import { allClouds, cloudModule } from "../clouds";
import type { CloudModule, DerivedName, Findings, MeshRule, RegionCatalog, RuleContext } from "../clouds/cloud";
import type { Cloud, MeshRole } from "../components/clusters/cluster";
import type { ConfigContext, MeshConfig, MeshConfigInput } from "./config";
import { defaults, dnsLabel, ipv4 } from "./config";
import { istioMinorOf, istioMinors, istioVersionProblem, remoteKubernetesMin, retiredLocationOf } from "../components/mesh/istioReleases";
import { nodeShape, primaryNodeMinimum } from "./nodeSizes";
import { checkRevisions, revisionCapacityWarnings } from "./revisions";
import { nearestNames } from "./regions";

// Moved to their clouds' modules; still exported here for the callers that know them here.

const show = (v: unknown) => JSON.stringify(v);

/** A Kubernetes label value: what `topology.istio.io/network` must be. */
export const labelValue = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelRule =
    "a Kubernetes label value: at most 63 characters, letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

/**
 * Names each cloud derives from a cluster name, with the cloud's limit on each (its module's
 * `derivedNames`, read from its cluster component).
 */
export const derivedNames: Record<string, DerivedName[]> = Object.fromEntries(allClouds().map((c) => [c.name, c.derivedNames]));

/** The longest cluster name a cloud's derived names leave room for. */
export function maxNameLength(cloud: string): number {
    const budgets = derivedNames[cloud] ?? [];
    return Math.min(63, ...budgets.map((b) => b.max - b.name("").length));
}

/** Why an IPv4 address cannot be a load balancer's or an EndpointSlice's, if it cannot. */
export function unusableAddress(address: string): string | undefined {
    const [a, b] = address.split(".").map(Number);
    if (address === "255.255.255.255") return "the broadcast address";
    if (a === 0) return 'in 0.0.0.0/8 ("this network")';
    if (a === 127) return "a loopback address";
    if (a === 169 && b === 254) return "a link-local address";
    if (a >= 224 && a <= 239) return "a multicast address";
    if (a >= 240) return "in the reserved range 240.0.0.0/4";
    return undefined;
}

/** The problems of a root the user brings, never quoting it. */
export function rootCaProblems(certPem: string, keyPem: string): string[] {
    const problems: string[] = [];
    let cert: X509Certificate | undefined;
    try {
        cert = new X509Certificate(certPem);
    } catch {
        problems.push("rootCa.certPem: is not a readable X.509 certificate (PEM)");
    }
    if (cert && !cert.ca)
        problems.push(
            "rootCa.certPem: is not a CA certificate (basicConstraints CA:TRUE): it cannot issue the primaries' intermediate CAs",
        );
    if (cert && new Date(cert.validTo).getTime() < Date.now()) problems.push(`rootCa.certPem: expired on ${cert.validTo}`);
    let key;
    try {
        key = createPrivateKey(keyPem);
    } catch {
        problems.push("rootCa.keyPem: is not a readable private key (PEM, PKCS#8, PKCS#1 or SEC1)");
    }
    if (cert && key && !cert.checkPrivateKey(key)) problems.push("rootCa.keyPem: is not the key of the certificate in rootCa.certPem");
    return problems.map((p) => `${p} (secret: its value is not shown)`);
}

/**
 * Default demo versions, independent of the clusters' order: `v1` on primaries, `v2` on
 * remotes; in a mesh without remotes, primaries by name take `v1` and `v2` in turn, so that the
 * demo shows both. Peers count: every stack of a split mesh computes the same.
 */
export function helloworldDefaults(
    clusters: { name: string; role: string }[],
    peers: { name: string; role: string }[],
): Map<string, "v1" | "v2"> {
    const all = [...clusters, ...peers];
    const versions = new Map<string, "v1" | "v2">();
    if (all.some((c) => c.role === "remote")) {
        for (const c of all) versions.set(c.name, c.role === "remote" ? "v2" : "v1");
    } else {
        [...all.map((c) => c.name)].sort().forEach((name, i) => versions.set(name, i % 2 === 0 ? "v1" : "v2"));
    }
    return versions;
}

/** Replaces every secret value (and each of its lines) in a message. */
export function redactor(secretValues: unknown[]): (message: string) => string {
    const strings: string[] = [];
    const walk = (v: unknown) => {
        if (typeof v === "string") strings.push(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
    };
    secretValues.forEach(walk);
    const fragments = new Set<string>();
    for (const s of strings) {
        for (const form of [s, JSON.stringify(s).slice(1, -1)]) {
            if (form.length >= 12) fragments.add(form);
        }
        for (const line of s.split(/\r?\n/).map((l) => l.trim())) {
            if (line.length >= 12) fragments.add(line);
        }
    }
    const sorted = [...fragments].sort((a, b) => b.length - a.length);
    return (message) => sorted.reduce((m, f) => m.split(f).join("[secret]"), message);
}

function kubernetesMinor(version: string): number | undefined {
    const m = /^1\.(\d+)(\.\d+)?$/.exec(version);
    return m ? Number(m[1]) : undefined;
}

/** `an AWS region such as us-west-2`, for messages. */
const regionExample = (regions: RegionCatalog) => `${regions.called} such as ${regions.example}`;

/** Region problems (errors) and warnings of one created cluster, by its cloud's catalog. */
function regionFindings(cloud: Cloud, regions: RegionCatalog, region: string, at: string): { problem?: string; warning?: string } {
    if (!regions.pattern.test(region)) {
        const misnamed = regions.misnamed?.(region, at);
        if (misnamed) return { problem: misnamed };
        // A region of another cloud, copied into the wrong entry.
        const owner = allClouds().find((other) => other.name !== cloud && other.regions?.known.includes(region));
        const otherCloud = owner ? ` (it is ${owner.regions!.called})` : "";
        return { problem: `${at}: ${show(region)} is not ${regionExample(regions)}${otherCloud}` };
    }
    if (regions.known.includes(region)) return {};
    const nearest = `nearest: ${nearestNames(region, regions.known).join(", ")}`;
    if (regions.unknown === "problem")
        return { problem: `${at}: ${show(region)} is not ${regions.called} (${regions.source}; ${nearest})` };
    return {
        warning: `${at}: ${show(region)} is not in ${regions.source} (${nearest}); if it is a region opened since, ignore this`,
    };
}

/**
 * Every rule of the model beyond the schema, on the schema's output (`input`, defaults applied)
 * and the resolved config. Problems are in the order a reader meets the keys: per cluster, then
 * between clusters, then mesh-wide.
 */
export function checkMeshConfig(
    input: MeshConfigInput,
    config: MeshConfig,
    context: ConfigContext,
): { problems: string[]; warnings: string[] } {
    const problems: string[] = [];
    const warnings: string[] = [];
    const peers = config.peers;
    const found = (f: Findings | undefined) => {
        problems.push(...(f?.problems ?? []));
        warnings.push(...(f?.warnings ?? []));
    };

    const revisionCheck = checkRevisions(input, defaults.istioVersion);
    problems.push(...revisionCheck.problems);
    const versionProblem = input.revisions ? undefined : istioVersionProblem(input.istioVersion);
    if (versionProblem) problems.push(`istioVersion: ${versionProblem}`);
    // Kubernetes versions are checked against the configured minor (the newest when it is refused),
    // with revisions against the range every revision supports.
    const istioMinor = revisionCheck.kubernetes
        ? { minor: revisionCheck.kubernetes.minors, kubernetes: revisionCheck.kubernetes }
        : (istioMinorOf(input.istioVersion) ?? istioMinors[istioMinors.length - 1]);
    const kubernetesMinors = { ...istioMinor.kubernetes, remoteMin: Math.max(remoteKubernetesMin, istioMinor.kubernetes.min) };
    // What a cluster outside the clouds (kind) cannot mesh with.
    const inCloud = [...new Set(config.clusters.filter((c) => cloudModule(c.cloud).inCloud).map((c) => c.cloud))];
    const rules: RuleContext = { input, config, context, kubernetesMinors, inCloud };
    // A mesh-wide hook, called for every cloud in registry order with its clusters.
    const meshRules = (hook: (m: CloudModule) => MeshRule | undefined) => {
        for (const m of allClouds()) {
            const own = config.clusters.flatMap((c, i) => (c.cloud === m.name ? [{ c, at: `clusters[${i}]` }] : []));
            found(hook(m)?.(own, rules));
        }
    };

    // Istio's retired artefact locations fail every pull once they are gone: refuse them up front
    // rather than leave a mesh half-installed when istiod or a proxy cannot start.
    for (const [key, location, kind] of [
        ["chartRepository", input.chartRepository, "charts"],
        ["imageHub", input.imageHub, "images"],
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
    const primaries = `primaries: ${
        [
            ...config.clusters.filter((c) => c.role === "primary").map((c) => c.name),
            ...peers.filter((p) => p.role === "primary").map((p) => p.name),
        ].join(", ") || "none"
    }`;

    config.clusters.forEach((c, i) => {
        const at = `clusters[${i}]`;
        const raw = input.clusters[i] as Record<string, unknown>;
        const cloud = cloudModule(c.cloud);
        const clusterRules = { ...rules, raw };
        if (!dnsLabel.test(c.name)) {
            problems.push(
                `${at}.name: ${show(c.name)} is not a DNS-1123 label (lowercase letters, digits and '-', starting with a letter, at most 63 characters)`,
            );
        } else if (names.indexOf(c.name) !== i) {
            problems.push(`${at}.name: ${show(c.name)} is already the name of clusters[${names.indexOf(c.name)}]; names must be unique`);
        } else if (c.name.length > maxNameLength(c.cloud)) {
            const max = maxNameLength(c.cloud);
            const over = derivedNames[c.cloud].find((b) => b.name(c.name).length > b.max)!;
            const why =
                cloud.nameLimitNote ??
                `${over.what}, ${over.name("<name>")}, would have ${over.name(c.name).length} characters, over ${over.max}`;
            problems.push(
                `${at}.name: ${show(c.name)} has ${c.name.length} characters; ${cloud.article ?? "a"} ${c.cloud} cluster name may have at most ${max} (${why})`,
            );
        }
        if (cloud.regions) {
            if (c.region === undefined || c.region === "") {
                problems.push(`${at}.region: is required for cloud "${c.cloud}" (${regionExample(cloud.regions)})`);
            } else {
                const found = regionFindings(c.cloud, cloud.regions, c.region, `${at}.region`);
                if (found.problem) problems.push(found.problem);
                if (found.warning) warnings.push(found.warning);
            }
        }
        if (raw.network !== undefined && c.network.trim() === "") {
            problems.push(`${at}.network: must not be empty (omit it to give the cluster a network of its own)`);
        } else if ((raw.network !== undefined || dnsLabel.test(c.name)) && !labelValue.test(c.network)) {
            problems.push(
                raw.network === undefined
                    ? `${at}.network: the default ${show(c.network)} (network-<name>) has ${c.network.length} characters, over a label value's 63; set network (${labelRule})`
                    : `${at}.network: ${show(c.network)} is not ${labelRule}; it becomes the topology.istio.io/network label`,
            );
        }
        if (c.role === "remote" && c.primary === undefined) {
            problems.push(`${at}.primary: a remote needs the name of the primary that controls it (${primaries})`);
        }
        if (c.role === "primary" && c.primary !== undefined) {
            problems.push(
                `${at}.primary: ${show(c.primary)} is set but ${at} has role primary; only a remote names a primary (set role: remote or remove primary)`,
            );
        }
        found(cloud.rules?.access?.(c, at, clusterRules));
        for (const key of ["eastWestAddress", "ingressAddress"] as const) {
            const address = c[key];
            if (address === undefined) continue;
            if (!ipv4.test(address)) {
                problems.push(`${at}.${key}: ${show(address)} is not an IPv4 address`);
                continue;
            }
            const unusable = unusableAddress(address);
            if (unusable) {
                problems.push(
                    `${at}.${key}: ${show(address)} is ${unusable}; a load balancer or an EndpointSlice cannot take it (use an address your load balancer announces)`,
                );
            }
        }
        if (c.ingressAddress !== undefined && c.ingressAddress === c.eastWestAddress) {
            problems.push(
                `${at}.ingressAddress: ${show(c.ingressAddress)} is also its eastWestAddress; each gateway needs an address of its own`,
            );
        }
        if (!c.ingress && (c.ingressAddress !== undefined || c.ingressSourceRanges.length > 0)) {
            problems.push(`${at}.ingress: ingressAddress/ingressSourceRanges are set but ingress is off (set ingress: true)`);
        }
        found(cloud.rules?.addresses?.(c, at, clusterRules));
        // A kind cluster's Kubernetes version is its node image's tag.
        const versionKey = cloud.rules?.versionKey ?? "kubernetesVersion";
        const shown = show(c[versionKey]);
        if (c.kubernetesVersion) {
            const minor = kubernetesMinor(c.kubernetesVersion);
            const range = `1.${kubernetesMinors.min} to 1.${kubernetesMinors.max}`;
            if (minor === undefined) {
                problems.push(`${at}.${versionKey}: ${shown} is not a Kubernetes version such as 1.35`);
            } else if (minor < kubernetesMinors.min || minor > kubernetesMinors.max) {
                problems.push(`${at}.${versionKey}: ${shown} is outside what Istio ${istioMinor.minor} supports (${range})`);
            } else if (c.role === "remote" && minor < kubernetesMinors.remoteMin) {
                problems.push(
                    `${at}.${versionKey}: ${shown} is too old for a remote: its API server must resolve the injection webhook through EndpointSlices (1.${kubernetesMinors.remoteMin} to 1.${kubernetesMinors.max})`,
                );
            } else {
                const problem = cloud.rules?.version?.(c, at, minor);
                if (problem) problems.push(problem);
            }
        }
        if (c.nodeSize !== undefined && c.role === "primary") {
            const shape = nodeShape(c.cloud, c.nodeSize);
            if (shape && (shape.memoryGiB < primaryNodeMinimum.memoryGiB || shape.vcpus < primaryNodeMinimum.vcpus)) {
                problems.push(
                    `${at}.nodeSize: ${show(c.nodeSize)} (${shape.vcpus} vCPU, ${shape.memoryGiB} GiB) is too small for a primary: istiod alone requests 500m CPU and 2Gi (use at least ${primaryNodeMinimum.vcpus} vCPU and ${primaryNodeMinimum.memoryGiB} GiB, e.g. ${defaults.nodeSize[c.cloud]})`,
                );
            } else if (!shape) {
                warnings.push(
                    `${at}.nodeSize: cannot tell the size of ${show(c.nodeSize)}; a primary needs at least ${primaryNodeMinimum.vcpus} vCPU and ${primaryNodeMinimum.memoryGiB} GiB per node`,
                );
            }
        }
        found(cloud.rules?.cluster?.(c, at, clusterRules));
    });

    // Roles: every remote names a primary of this stack; at least one primary.
    // The first cluster of a name (a later one of the same name is already a problem).
    const byName = new Map(config.clusters.map((c) => [c.name, c] as const).reverse());
    // Peers take part in the topology: a local remote may be controlled by a peer primary.
    const topology = new Map<string, { role: MeshRole }>([...peers.map((p) => [p.name, p] as const), ...byName]);
    config.clusters.forEach((c, i) => {
        if (c.role !== "remote" || c.primary === undefined) return;
        const primary = topology.get(c.primary);
        if (c.primary === c.name) {
            problems.push(
                `clusters[${i}].primary: ${show(c.primary)} is the cluster itself; a cluster cannot be its own primary (${primaries})`,
            );
        } else if (!primary) {
            problems.push(`clusters[${i}].primary: ${show(c.primary)} is not a cluster in this stack or its peers (${primaries})`);
        } else if (primary.role !== "primary") {
            problems.push(
                `clusters[${i}].primary: ${show(c.primary)} is itself a remote; a remote's primary must have role primary (${primaries})`,
            );
        }
    });
    if (!config.clusters.some((c) => c.role === "primary") && !peers.some((p) => p.role === "primary")) {
        problems.push(`clusters: no cluster has role primary; a mesh needs at least one primary to run istiod`);
    }
    peers.forEach((p, i) => {
        const at = `peers[${i}]`;
        if (byName.has(p.name) || peers.findIndex((q) => q.name === p.name) !== i) {
            problems.push(
                `${at}.name: ${show(p.name)} is already a cluster of this stack or an earlier peer; names are unique across the mesh`,
            );
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
        if (!labelValue.test(p.network)) {
            problems.push(`${at}.network: ${show(p.network)} is not ${labelRule}; it is the peer's topology.istio.io/network label`);
        }
        if (context.stack !== undefined && p.stack === context.stack) {
            problems.push(
                `${at}.stack: ${show(p.stack)} is this stack; a peer is a cluster of another stack (list this stack's own clusters under clusters)`,
            );
        }
    });
    if (input.rootCaFrom !== undefined && input.rootCa !== undefined) {
        problems.push(
            `rootCa: a stack either brings the mesh root (rootCa) or takes its intermediates from another stack (rootCaFrom), not both`,
        );
    }
    if (input.rootCaFrom !== undefined && context.stack !== undefined && input.rootCaFrom === context.stack) {
        problems.push(`rootCaFrom: ${show(input.rootCaFrom)} is this stack; unset rootCaFrom for the stack that owns the mesh root`);
    } else if (input.rootCaFrom !== undefined && !peers.some((p) => p.stack === input.rootCaFrom && p.role === "primary")) {
        problems.push(
            `rootCaFrom: ${show(input.rootCaFrom)} is not the stack of a primary peer (stacks of primary peers: ${[...new Set(peers.filter((p) => p.role === "primary").map((p) => p.stack))].join(", ") || "none"})`,
        );
    }
    if (input.rootCa !== undefined) problems.push(...rootCaProblems(input.rootCa.certPem, input.rootCa.keyPem));
    meshRules((m) => m.rules?.stack);
    meshRules((m) => m.rules?.neighbours);
    meshRules((m) => m.rules?.primaries);
    // One address, one gateway: two Services cannot take the same load-balancer IP.
    const addressOwners = new Map<string, string>();
    config.clusters.forEach((c, i) => {
        for (const key of ["eastWestAddress", "ingressAddress"] as const) {
            const address = c[key];
            if (address === undefined || !ipv4.test(address)) continue;
            const owner = addressOwners.get(address);
            if (owner && !owner.startsWith(`clusters[${i}].`)) {
                problems.push(`clusters[${i}].${key}: ${show(address)} is already ${owner}; each gateway needs an address of its own`);
            } else if (!owner) addressOwners.set(address, `clusters[${i}].${key}`);
        }
    });

    meshRules((m) => m.rules?.quotas);

    // Admin principals: each becomes a resource per cluster, named after it.
    for (const m of allClouds()) {
        if (!m.adminPrincipals) continue;
        const { problem, resourceName, what } = m.adminPrincipals;
        const key = `adminPrincipals.${m.name}`;
        const ids = (input.adminPrincipals as Record<string, string[] | undefined>)[m.name] ?? [];
        ids.forEach((id, i) => {
            const p = problem?.(id);
            if (p) problems.push(`${key}[${i}]: ${show(id)} ${p}`);
        });
        const seen = new Map<string, number>();
        ids.forEach((id, i) => {
            const derived = resourceName(id);
            const first = seen.get(derived);
            if (first === undefined) {
                seen.set(derived, i);
                return;
            }
            const other = ids[first];
            problems.push(
                other === id
                    ? `${key}[${i}]: ${show(id)} is listed twice (also ${key}[${first}])`
                    : `${key}[${i}]: ${show(id)} and ${key}[${first}] ${show(other)} would be one ${what} (${show(derived)}); keep one of them`,
            );
        });
    }

    // Remote secrets are named <primary>-<cluster>: two pairs must not give one name.
    const secretNames = new Map<string, [string, string]>();
    const meshNames = [...config.clusters.map((c) => c.name), ...peers.map((p) => p.name)];
    const where = (name: string) => {
        const i = config.clusters.findIndex((c) => c.name === name);
        return i >= 0 ? `clusters[${i}]` : `peers[${peers.findIndex((p) => p.name === name)}]`;
    };
    for (const primary of config.clusters.filter((c) => c.role === "primary")) {
        for (const other of meshNames.filter((n) => n !== primary.name)) {
            const name = `${primary.name}-${other}`;
            const before = secretNames.get(name);
            if (!before) {
                secretNames.set(name, [primary.name, other]);
                continue;
            }
            if (before[0] === primary.name && before[1] === other) continue;
            problems.push(
                `${where(primary.name)}.name: the remote secret of ${show(primary.name)} for ${show(other)} (${where(other)}) and that of ${show(before[0])} for ${show(before[1])} (${where(before[1])}) ` +
                    `would both be named ${show(name)}; rename one of these clusters (resource names stay as they are, so that live remote secrets are not replaced)`,
            );
        }
    }

    // Mesh-wide options that only make sense with what they act on.
    if (input.trafficPolicy !== undefined && !input.demo) {
        problems.push(`trafficPolicy: applies to the helloworld demo, which is off (set demo: true or remove trafficPolicy)`);
    }
    if (input.ingressTls !== undefined && !config.clusters.some((c) => c.ingress)) {
        problems.push(`ingressTls: no cluster has ingress on (set ingress: true on a cluster or remove ingressTls)`);
    }
    if (input.ingressTls !== undefined && input.ingressTls.host.length > 253) {
        problems.push(`ingressTls.host: has ${input.ingressTls.host.length} characters; a DNS name has at most 253`);
    }
    if (input.mtlsMode === "PERMISSIVE") {
        warnings.push(
            `mtlsMode: PERMISSIVE — every primary accepts PLAINTEXT traffic mesh-wide. Use it only while migrating workloads into the mesh, then set it back to STRICT.`,
        );
    }
    if (problems.length === 0) warnings.push(...revisionCapacityWarnings(config.revisions, config.clusters));
    return { problems, warnings };
}
