import * as pulumi from "@pulumi/pulumi";
import type { MeshRole } from "../components/clusters/cluster";
import type { CaBundlePems } from "../components/mesh/intermediateCa";
import { certificateFingerprint } from "../components/mesh/rootCa";
import type { MeshConfig, PeerConfig } from "./config";
import { compareMinors, parseIstioVersion } from "../components/mesh/istioReleases";

/**
 * Major version of what a stack publishes about its clusters. Consumers accept the same major
 * and ignore fields they do not know; a new major means an incompatible change.
 */
export const contractVersion = 1;

/** What a stack publishes about one of its clusters (stack output `clusters`, not secret). */
export interface ClusterContract {
    contract: number;
    meshId: string;
    name: string;
    role: MeshRole;
    primary?: string;
    network: string;
    apiServerUrl: string;
    /** The IP remotes use as remotePilotAddress. */
    eastWestAddress?: string;
    /** SHA-256 of the mesh root certificate (DER), hex. */
    rootCaFingerprint?: string;
    /** Clusters whose remote secrets this primary holds: the clusters it has attached. */
    remoteSecrets: string[];
    /** Istio version of its charts (published since this field was added; absent from older stacks). */
    istioVersion?: string;
    /** Registry path of its Istio images (likewise). */
    imageHub?: string;
    /** Control-plane revisions it runs (absent: the unrevisioned control plane only). */
    revisions?: { name: string; version: string }[];
    /** The revision its default tag points at (absent: the unrevisioned control plane). */
    defaultRevision?: string;
}

export { certificateFingerprint };
export type { CaBundlePems };

/** What one peer stack has published, as read. */
export interface PublishedPeerStack {
    clusters?: Record<string, ClusterContract>;
    /** Remote-secret kubeconfigs by cluster; `{}` when this stack could not decrypt them. */
    remoteSecrets?: Record<string, string>;
    caBundles?: Record<string, CaBundlePems>;
}

/** A peer cluster as this stack sees it now. */
export interface PeerView {
    config: PeerConfig;
    /** Its published contract; undefined until its stack has run. */
    published?: ClusterContract;
    /** Its remote secret, when this stack needs and has it. */
    remoteSecret?: string;
}

/** The peers of this stack, checked: what can be used, and what is still awaited. */
export interface Peers {
    views: Map<string, PeerView>;
    /** Intermediate CAs issued to this stack's primaries by the root owner (rootCaFrom). */
    caBundles: Map<string, CaBundlePems>;
    /** The root fingerprint peers agree on, when one has published it. */
    rootCaFingerprint?: string;
    /** What the mesh is waiting for, said on every run. */
    waiting: string[];
}

/** No peers: a stack that owns its whole mesh. */
export const noPeers: Peers = { views: new Map(), caBundles: new Map(), waiting: [] };

/** A peer problem: the mesh cannot be built as configured. */
export class PeerError extends pulumi.RunError {
    constructor(public readonly problems: string[]) {
        super(`Peer stacks do not match this stack's config (${problems.length}):\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "PeerError";
    }
}

/**
 * Reads what every peer stack (and the root owner) has published. A missing output is normal
 * before that stack's first run; a stack that was never created fails the read, as it must.
 */
export async function readPeerStacks(config: MeshConfig): Promise<Map<string, PublishedPeerStack>> {
    const stacks = [...new Set([...config.peers.map((p) => p.stack), ...(config.rootCaFrom ? [config.rootCaFrom] : [])])];
    const published = new Map<string, PublishedPeerStack>();
    for (const stack of stacks) {
        const ref = new pulumi.StackReference(stack);
        const [clusters, remoteSecrets, caBundles] = await Promise.all([
            ref.getOutputDetails("clusters"),
            ref.getOutputDetails("remoteSecrets"),
            ref.getOutputDetails("caBundles"),
        ]);
        published.set(stack, {
            clusters: clusters.value ?? clusters.secretValue,
            remoteSecrets: remoteSecrets.secretValue ?? remoteSecrets.value,
            caBundles: caBundles.secretValue ?? caBundles.value,
        });
    }
    return published;
}

const show = (v: unknown) => JSON.stringify(v);
const isEmpty = (v: unknown) => v !== undefined && (v === null || (typeof v === "object" && Object.keys(v as object).length === 0));

/**
 * Where a peer's Istio release contradicts this stack's: the stacks of one mesh pull from one
 * image hub (a primary injects its remotes' proxies with its own), and a remote never runs a
 * newer minor than the primary that injects and configures it.
 */
function releaseProblems(config: MeshConfig, peer: PeerConfig, contract: ClusterContract, at: string): string[] {
    const problems: string[] = [];
    const here = `this stack (${pulumi.getStack()})`;
    if (contract.imageHub !== undefined && contract.imageHub !== config.imageHub) {
        problems.push(
            `imageHub: ${show(config.imageHub)} in ${here}, but ${peer.stack} publishes ${peer.name} with ${show(contract.imageHub)}; the stacks of one mesh use one image hub (a primary injects its remotes' proxies from its own), set the same imageHub on both`,
        );
    }
    const ours = parseIstioVersion(config.istioVersion)?.minor;
    const theirs = contract.istioVersion !== undefined ? parseIstioVersion(contract.istioVersion)?.minor : undefined;
    if (ours === undefined || theirs === undefined) return problems;
    const newer = `a remote may not run a newer Istio minor than its primary: upgrade the primary's stack first`;
    // A remote of this stack whose primary is this peer, or a remote peer of one of our primaries.
    const oursIsRemoteOf = config.clusters.some((c) => c.role === "remote" && c.primary === peer.name);
    const theirsIsRemoteOfOurs = peer.role === "remote" && config.clusters.some((c) => c.name === peer.primary);
    if (oursIsRemoteOf && compareMinors(ours, theirs) > 0) {
        problems.push(
            `istioVersion: ${show(config.istioVersion)} in ${here} for remotes of ${peer.name}, whose stack ${peer.stack} runs ${show(contract.istioVersion)}; ${newer}`,
        );
    }
    if (theirsIsRemoteOfOurs && compareMinors(theirs, ours) > 0) {
        problems.push(
            `${at}: ${peer.stack} runs ${show(contract.istioVersion)} on remote ${peer.name}, newer than ${show(config.istioVersion)} of its primary ${peer.primary} in ${here}; ${newer}`,
        );
    }
    return problems;
}

/**
 * Checks what the peers published against this stack's config. Throws a PeerError listing
 * every contradiction; returns what can be used and what is still awaited.
 */
export function checkPeers(config: MeshConfig, published: Map<string, PublishedPeerStack>): Peers {
    const problems: string[] = [];
    const waiting: string[] = [];
    const views = new Map<string, PeerView>();
    const hasPrimaries = config.clusters.some((c) => c.role === "primary");
    const fingerprints = new Map<string, string>();

    config.peers.forEach((peer, i) => {
        const at = `peers[${i}]`;
        const stack = published.get(peer.stack) ?? {};
        const contract = stack.clusters?.[peer.name];
        const view: PeerView = { config: peer };
        views.set(peer.name, view);
        if (!contract) {
            waiting.push(`${peer.name}: ${peer.stack} has not published it yet (pulumi up on that stack)`);
            return;
        }
        const before = problems.length;
        if (Math.trunc(Number(contract.contract)) !== contractVersion) {
            problems.push(
                `${at}: ${peer.stack} publishes ${peer.name} with contract ${show(contract.contract)}; this program reads contract ${contractVersion} (run the same major version of the program on both stacks)`,
            );
        } else {
            if (contract.meshId !== config.meshId) {
                problems.push(
                    `${at}: ${peer.stack} publishes ${peer.name} in mesh ${show(contract.meshId)}, this stack's meshId is ${show(config.meshId)}`,
                );
            }
            if (contract.role !== peer.role) {
                problems.push(`${at}.role: ${show(peer.role)} here, but ${peer.stack} publishes ${peer.name} as ${show(contract.role)}`);
            }
            if (contract.network !== peer.network) {
                problems.push(
                    `${at}.network: ${show(peer.network)} here, but ${peer.stack} publishes ${peer.name} on ${show(contract.network)}`,
                );
            }
            if (peer.role === "remote" && contract.primary !== peer.primary) {
                problems.push(
                    `${at}.primary: ${show(peer.primary)} here, but ${peer.stack} publishes ${peer.name} as a remote of ${show(contract.primary)}`,
                );
            }
            if (contract.rootCaFingerprint) fingerprints.set(`${peer.name} (${peer.stack})`, contract.rootCaFingerprint);
            problems.push(...releaseProblems(config, peer, contract, at));
        }
        if (problems.length > before) return;
        view.published = contract;
        // Only a stack with primaries holds other clusters' secrets.
        if (hasPrimaries) {
            const secret = stack.remoteSecrets?.[peer.name];
            if (isEmpty(stack.remoteSecrets) || secret === undefined || secret === "") {
                problems.push(
                    `${at}: the remote secret of ${peer.name} from ${peer.stack} arrived empty: this stack cannot read that stack's secrets (use the same backend and give this stack access to its secrets provider)`,
                );
            } else {
                view.remoteSecret = secret;
            }
        }
    });

    // One root of trust: every peer publishes the same root.
    const distinct = [...new Set(fingerprints.values())];
    if (distinct.length > 1) {
        problems.push(
            `peers: the peers publish different mesh roots (${[...fingerprints].map(([who, fp]) => `${who}: ${fp.slice(0, 16)}…`).join(", ")}); a mesh has one root CA`,
        );
    }

    const caBundles = new Map<string, CaBundlePems>();
    if (config.rootCaFrom && hasPrimaries) {
        const owner = published.get(config.rootCaFrom) ?? {};
        for (const primary of config.clusters.filter((c) => c.role === "primary")) {
            const bundle = owner.caBundles?.[primary.name];
            if (isEmpty(owner.caBundles) && owner.clusters !== undefined) {
                problems.push(
                    `rootCaFrom: the CA material from ${config.rootCaFrom} arrived empty: this stack cannot read that stack's secrets`,
                );
                break;
            }
            if (bundle === undefined) {
                waiting.push(
                    `${primary.name}: ${config.rootCaFrom} has not issued its intermediate CA yet (add it to that stack's peers, then pulumi up there)`,
                );
            } else {
                caBundles.set(primary.name, bundle);
            }
        }
    }
    if (problems.length > 0) throw new PeerError(problems);
    return { views, caBundles, rootCaFingerprint: distinct[0], waiting };
}
