import * as pulumi from "@pulumi/pulumi";
import type { MeshCluster, MeshRole, StaticAddress } from "../clusters/cluster";
import { MeshDemo, MeshDemoOptions } from "../apps/meshDemo";
import type { HelloworldVersion } from "../apps/helloworld";
import type { IstioCharts } from "./chart";
import { ControlPlane, ControlPlaneRevision, ControlPlaneRevisions, ControlPlaneRole } from "./controlPlane";
import { CrossNetworkConfig } from "./crossNetworkConfig";
import { EastWestGateway } from "./eastWestGateway";
import { IngressGateway } from "./ingressGateway";
import { CaBundle, CaBundlePems, IntermediateCa } from "./intermediateCa";
import { MeshMtls, MeshMtlsArgs } from "./meshMtls";
import { ReaderToken } from "./readerToken";
import { RemoteSecret } from "./remoteSecret";
import { IstioRevision, MeshRevisions, unrevisioned } from "./revisions";
import { RevisionTag } from "./revisionTag";
import { certificateFingerprint, MeshRootCa } from "./rootCa";
import { primariesFirst, remoteSecretPlacement, remotesOf, TopologyNode } from "./topology";
import { movedFromStackRoot } from "../moved";

/** A cluster this program installs Istio on, with what the mesh needs to know of it. */
export interface IstioMeshMember {
    /** The cluster handle its cluster component returned. */
    cluster: MeshCluster;
    /** For a remote: the primary that controls it (a member or a peer). */
    primary?: string;
    /** The east-west gateway's static address (none: the cloud picks one) and who may reach it. */
    eastWest: { address?: StaticAddress; sourceRanges: string[] };
    /**
     * A north-south ingress gateway on its own address, when the cluster runs one; `https` when
     * it serves HTTPS (its load balancer opens 443 only then).
     */
    ingress?: { address?: StaticAddress; sourceRanges: string[]; https: boolean };
    /** The demo's helloworld version this cluster serves, when the demo runs. */
    helloworldVersion?: HelloworldVersion;
}

/** A cluster of the mesh that another program (stack) owns, as far as it has published. */
export interface IstioMeshPeer {
    name: string;
    role: MeshRole;
    primary?: string;
    /** Whether its owner has published it yet. */
    published: boolean;
    /** Its east-west address, when it is a primary that has published one. */
    eastWestAddress?: string;
    /** Its remote-secret kubeconfig (a secret), when a primary here must hold it. */
    remoteSecret?: pulumi.Input<string>;
    /** The clusters whose remote secrets it holds (a primary's published `remoteSecrets`). */
    attached: string[];
    /**
     * The revisions it runs, when its owner published them; a published peer without them runs
     * the unrevisioned control plane only (a stack from before revisions).
     */
    revisions?: IstioRevision[];
}

/** Where every primary's intermediate CA comes from. */
export type RootOfTrust =
    /** A root generated and kept in this stack's state; `protect` guards it from replacement. */
    | { kind: "generated"; protect: boolean }
    /** A root the user brings (e.g. from their PKI). */
    | { kind: "brought"; certPem: string; keyPem: pulumi.Input<string> }
    /** Intermediates issued by the stack that owns the root, by primary. */
    | { kind: "issued"; bundles: Map<string, CaBundlePems>; rootCaFingerprint?: string };

/** One Istio mesh over clusters that already exist (and peers that other stacks own). */
export interface IstioMeshArgs {
    /** Istio `global.meshID` of every cluster. */
    meshId: string;
    charts: IstioCharts;
    /** Registry path of Istio's images (istiod, every injected proxy): docker.io/istio or a mirror. */
    imageHub: string;
    /** Mesh-wide mTLS on every primary. */
    mtlsMode: MeshMtlsArgs["mode"];
    rootOfTrust: RootOfTrust;
    /** The clusters to install Istio on. */
    members: IstioMeshMember[];
    /** Clusters of the same mesh owned elsewhere. */
    peers?: IstioMeshPeer[];
    /** The mesh root the peers publish, to check this stack's against. */
    peersRootCaFingerprint?: string;
    /** Intermediates to issue to peer primaries from this stack's root. */
    issueFor?: string[];
    /** The helloworld demo, when wanted. */
    demo?: MeshDemoOptions;
    /**
     * Canary revisions of every member's control plane; undefined: one unrevisioned istiod from
     * `charts` (as before revisions). With revisions, `charts.version` is `base`'s: the newest.
     */
    revisions?: MeshRevisions;
    /** Where the default tag pointed in this stack's previous run: it stays there while the mesh is not ready to move. */
    previousDefaultRevision?: string;
}

/** What the mesh made of one member cluster. */
export interface IstioMeshMemberOutputs {
    /** Address of its east-west gateway (the IP its remotes use as remotePilotAddress). */
    eastWestAddress?: pulumi.Output<string>;
    /** Address of its ingress gateway, when it runs one. */
    ingressAddress?: pulumi.Output<string>;
    /** Clusters whose remote secrets this primary holds: the clusters it has attached. */
    attached: string[];
    /** Revisions installed in it (with revisions configured). */
    revisions?: IstioRevision[];
    /** The revision its default tag points at (with revisions configured). */
    defaultRevision?: string;
}

/**
 * One Istio service mesh across clusters: the root of trust, every cluster's control plane,
 * the wiring between clusters (remote secrets, istiod exposure, east-west gateways), mesh-wide
 * mTLS, ingress gateways and, optionally, the demo. Every edge between two clusters is made here.
 */
export class IstioMesh extends pulumi.ComponentResource {
    /** What the mesh made of each member, by cluster name. */
    public readonly members: Record<string, IstioMeshMemberOutputs> = {};
    /** Each member's remote-secret kubeconfig (bearer token), by cluster (secrets). */
    public readonly readerKubeconfigs = new Map<string, pulumi.Output<string>>();
    /** Intermediate CAs this mesh's root issued to peer primaries (secrets). */
    public readonly issuedCaBundles = new Map<string, pulumi.Output<CaBundlePems>>();
    /** SHA-256 of the mesh root certificate, when known. */
    public readonly rootCaFingerprint?: pulumi.Output<string>;
    /** What the mesh still waits for (other stacks' runs), in words. */
    public readonly waiting: string[] = [];

    private readonly args: IstioMeshArgs;
    private readonly topology: TopologyNode[];
    private readonly local: Map<string, IstioMeshMember>;
    private readonly peers: Map<string, IstioMeshPeer>;
    private readonly controlPlanes = new Map<string, ControlPlane>();
    private readonly crossNetwork = new Map<string, CrossNetworkConfig>();
    private readonly remoteSecrets = new Map<string, RemoteSecret>();
    private readonly gateways = new Map<string, EastWestGateway>();
    private readonly ingresses = new Map<string, IngressGateway>();
    private readonly tags = new Map<string, RevisionTag>();
    /** The revisions each member runs (with revisions configured). */
    private readonly installedRevisions = new Map<string, IstioRevision[]>();
    /** The revision the default tag points at in this run (`default` without revisions). */
    private readonly tag: string;

    constructor(name: string, args: IstioMeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:IstioMesh", name, {}, opts);
        this.args = args;
        this.local = new Map(args.members.map((m) => [m.cluster.name, m]));
        this.peers = new Map((args.peers ?? []).map((p) => [p.name, p]));
        this.topology = [
            ...args.members.map((m) => ({ name: m.cluster.name, role: m.cluster.role, primary: m.primary })),
            ...(args.peers ?? []).map((p) => ({ name: p.name, role: p.role, primary: p.primary })),
        ];

        this.tag = this.defaultTagTarget();
        const { bundles, rootCaFingerprint } = this.rootOfTrust();
        this.rootCaFingerprint = rootCaFingerprint;
        // The unrevisioned istiod gives up its injection webhook only once the default tag's
        // webhooks that replace it exist (made with the east-west gateways, cluster by cluster).
        let tagsMade!: (tags: Map<string, RevisionTag>) => void;
        const tagsReady = new Promise<Map<string, RevisionTag>>((ok) => (tagsMade = ok));
        try {
            this.installControlPlanes(bundles, tagsReady);
            this.exposeControlPlanes();
            this.placeRemoteSecrets();
            const attached = this.attachedMembers();
            this.installEastWestGateways(attached);
            this.enforceMtls();
            this.installIngressGateways(attached);
            if (args.demo) this.installDemo(attached, args.demo);
        } finally {
            // Every tag is declared by now; and a failed step must not leave a registration waiting.
            tagsMade(this.tags);
        }
        this.describeMembers();
        this.registerOutputs({ rootCaFingerprint: this.rootCaFingerprint });
    }

    /** What the mesh made of each member: addresses, attached clusters, revisions. */
    private describeMembers() {
        for (const m of this.args.members) {
            const name = m.cluster.name;
            const cp = this.controlPlanes.get(name);
            this.members[name] = {
                eastWestAddress: this.gateways.get(name)?.address ?? m.eastWest.address?.ip,
                ingressAddress: this.ingresses.get(name)?.address,
                attached: this.members[name]?.attached ?? [],
                ...(this.args.revisions && cp ? { revisions: this.installedRevisions.get(name), defaultRevision: cp.defaultRevision } : {}),
            };
        }
    }

    /**
     * Where the default tag points: at `defaultRevision` once that revision runs in every
     * cluster of the mesh (peers included, as they published); until then where it pointed in
     * the previous run, or at the unrevisioned istiod that ran before revisions.
     */
    private defaultTagTarget(): string {
        const revisions = this.args.revisions;
        if (!revisions) return unrevisioned;
        const wanted = revisions.defaultRevision;
        const missing = (this.args.peers ?? []).filter((p) => !this.peerRuns(p, wanted)).map((p) => p.name);
        if (missing.length === 0) return wanted;
        const names = revisions.revisions.map((r) => r.name);
        const previous = this.args.previousDefaultRevision;
        const stay = previous !== undefined && names.includes(previous) ? previous : names.includes(unrevisioned) ? unrevisioned : wanted;
        if (stay !== wanted) {
            this.waiting.push(
                `default tag: stays at revision ${stay} until ${missing.join(", ")} run${missing.length === 1 ? "s" : ""} revision ${wanted} (pulumi up on their stacks)`,
            );
        }
        return stay;
    }

    /** Whether a peer runs a revision, as far as it published. */
    private peerRuns(peer: IstioMeshPeer, revision: string): boolean {
        if (!peer.published) return false;
        return (peer.revisions?.map((r) => r.name) ?? [unrevisioned]).includes(revision);
    }

    private primaryOf(name: string): string | undefined {
        return this.topology.find((t) => t.name === name)?.primary;
    }

    private get memberPrimaries(): IstioMeshMember[] {
        return this.args.members.filter((m) => m.cluster.role === "primary");
    }

    /**
     * One root of trust: cross-cluster mTLS needs every istiod's CA to chain to it. The stack
     * that owns it issues every primary's intermediate, its peers' included.
     */
    private rootOfTrust(): { bundles: Map<string, CaBundle>; rootCaFingerprint?: pulumi.Output<string> } {
        const trust = this.args.rootOfTrust;
        const bundles = new Map<string, CaBundle>();
        if (trust.kind === "issued") {
            for (const [name, b] of trust.bundles) {
                bundles.set(name, {
                    caCertPem: pulumi.output(b.caCertPem),
                    caKeyPem: pulumi.secret(b.caKeyPem),
                    rootCertPem: pulumi.output(b.rootCertPem),
                    certChainPem: pulumi.output(b.certChainPem),
                });
            }
            return { bundles, rootCaFingerprint: trust.rootCaFingerprint ? pulumi.output(trust.rootCaFingerprint) : undefined };
        }
        if (this.memberPrimaries.length === 0) return { bundles };
        const root =
            trust.kind === "brought"
                ? { certPem: pulumi.output(trust.certPem), privateKeyPem: pulumi.secret(trust.keyPem) }
                : new MeshRootCa(
                      "mesh-root-ca",
                      { meshId: this.args.meshId, protect: trust.protect },
                      { parent: this, aliases: movedFromStackRoot() },
                  );
        const issue = (clusterName: string) =>
            new IntermediateCa(
                `${clusterName}-ca`,
                { clusterName, rootCertPem: root.certPem, rootKeyPem: root.privateKeyPem },
                { parent: this, aliases: movedFromStackRoot() },
            ).bundle;
        this.memberPrimaries.forEach((p) => bundles.set(p.cluster.name, issue(p.cluster.name)));
        for (const peer of this.args.issueFor ?? []) {
            const bundle = issue(peer);
            this.issuedCaBundles.set(
                peer,
                pulumi.secret(
                    pulumi
                        .all([bundle.caCertPem, bundle.caKeyPem, bundle.rootCertPem, bundle.certChainPem])
                        .apply(([caCertPem, caKeyPem, rootCertPem, certChainPem]): CaBundlePems => ({
                            caCertPem,
                            caKeyPem,
                            rootCertPem,
                            certChainPem,
                        })),
                ),
            );
        }
        const rootCaFingerprint = root.certPem.apply(certificateFingerprint);
        const theirs = this.args.peersRootCaFingerprint;
        if (theirs) {
            rootCaFingerprint.apply((ours) => {
                if (ours !== theirs) {
                    pulumi.log.error(
                        `peers: they publish mesh root ${theirs.slice(0, 16)}…, this stack owns root ${ours.slice(0, 16)}…; a mesh has one root CA (set rootCaFrom on every stack but the owner)`,
                    );
                }
            });
        }
        return { bundles, rootCaFingerprint };
    }

    /** Control planes, where what they need is known: a primary its CA, a remote its primary's address. */
    private installControlPlanes(bundles: Map<string, CaBundle>, tagsReady: Promise<Map<string, RevisionTag>>) {
        for (const member of primariesFirst(this.args.members.map((m) => ({ ...m, name: m.cluster.name, role: m.cluster.role })))) {
            const cluster = member.cluster;
            let role: ControlPlaneRole;
            if (cluster.role === "primary") {
                const cacerts = bundles.get(cluster.name);
                if (!cacerts) continue; // awaited from the root owner
                role = { kind: "primary", cacerts, servesRemotes: remotesOf(cluster.name, this.topology).length > 0 };
            } else {
                const primaryName = member.primary!;
                // Only the primary's static address: the remote's charts install in parallel with the primary.
                const address = this.local.has(primaryName)
                    ? this.local.get(primaryName)!.eastWest.address?.ip
                    : this.peers.get(primaryName)?.eastWestAddress;
                if (address === undefined) {
                    this.waiting.push(`${cluster.name}: Istio waits for the east-west address of its primary ${primaryName}`);
                    continue;
                }
                role = { kind: "remote", primaryCluster: primaryName, primaryAddress: address };
            }
            this.controlPlanes.set(
                cluster.name,
                new ControlPlane(
                    cluster.name,
                    {
                        clusterName: cluster.name,
                        network: cluster.network,
                        meshId: this.args.meshId,
                        role,
                        charts: this.args.charts,
                        revisions: this.revisionsOf(cluster, tagsReady),
                        imageHub: this.args.imageHub,
                        provider: cluster.provider,
                        nodesReady: cluster.nodesReady,
                        adoptsExistingObjects: cluster.adoptsExistingObjects,
                    },
                    { parent: this, aliases: movedFromStackRoot() },
                ),
            );
        }
    }

    /**
     * Revisions a primary keeps although this stack's config removed them, while remotes of it
     * in other stacks still run them (their webhooks and proxies call it): the remotes' stacks
     * remove them first, and the primary's next pass follows.
     */
    private keptForPeerRemotes(cluster: MeshCluster): IstioRevision[] {
        if (cluster.role !== "primary") return [];
        const configured = new Set(this.args.revisions!.revisions.map((r) => r.name));
        const kept = new Map<string, IstioRevision>();
        for (const peer of this.args.peers ?? []) {
            if (peer.role !== "remote" || peer.primary !== cluster.name || !peer.published) continue;
            // A remote's stack from before revisions publishes none: what it runs is unknown here.
            for (const r of peer.revisions ?? []) {
                if (configured.has(r.name) || kept.has(r.name)) continue;
                kept.set(r.name, r);
                this.waiting.push(
                    `${cluster.name}: keeps revision ${r.name} while its remote ${peer.name} runs it (remove it from that stack first)`,
                );
            }
        }
        return [...kept.values()];
    }

    /**
     * The revisions a cluster runs: all of them on a primary; on a remote those its primary
     * runs, each after the primary's istiod of that revision (a peer primary: once it has
     * published the revision), since the remote's webhooks of a revision call that istiod.
     */
    private revisionsOf(cluster: MeshCluster, tagsReady: Promise<Map<string, RevisionTag>>): ControlPlaneRevisions | undefined {
        const configured = this.args.revisions;
        if (!configured) return undefined;
        const revisions: ControlPlaneRevision[] = [];
        for (const r of [...configured.revisions, ...this.keptForPeerRemotes(cluster)]) {
            const charts = { repository: this.args.charts.repository, version: r.version };
            if (cluster.role === "primary" || r.name === unrevisioned) {
                revisions.push({ name: r.name, charts, after: [] });
                continue;
            }
            const primaryName = this.primaryOf(cluster.name)!;
            const peer = this.peers.get(primaryName);
            if (peer && !this.peerRuns(peer, r.name)) {
                this.waiting.push(`${cluster.name}: revision ${r.name} waits until its primary ${primaryName} runs it`);
                continue;
            }
            const primaryIstiod = this.controlPlanes.get(primaryName)?.istiods.get(r.name);
            revisions.push({ name: r.name, charts, after: primaryIstiod ? [primaryIstiod] : [] });
        }
        this.installedRevisions.set(
            cluster.name,
            revisions.map((r) => ({ name: r.name, version: r.charts.version })),
        );
        return {
            revisions,
            // Where the tag cannot point yet (a revision this remote waits for), the unrevisioned istiod keeps injecting.
            defaultRevision: revisions.some((r) => r.name === this.tag) ? this.tag : unrevisioned,
            tagWebhooks: tagsReady.then((tags) => {
                const tag = tags.get(cluster.name);
                return tag ? [tag] : [];
            }),
        };
    }

    private get installed(): MeshCluster[] {
        return this.args.members.map((m) => m.cluster).filter((c) => this.controlPlanes.has(c.name));
    }

    private controlPlaneOf(name: string): pulumi.Resource[] {
        const cp = this.controlPlanes.get(name)!;
        return [cp.base, cp.istiod];
    }

    /** Cross-network gateway config on every primary, and istiod's exposure where remotes need it. */
    private exposeControlPlanes() {
        for (const primary of this.installed.filter((c) => c.role === "primary")) {
            this.crossNetwork.set(
                primary.name,
                new CrossNetworkConfig(
                    primary.name,
                    {
                        exposeIstiod: remotesOf(primary.name, this.topology).length > 0,
                        revisions: this.installedRevisions.get(primary.name)?.map((r) => r.name),
                        provider: primary.provider,
                        controlPlane: this.controlPlaneOf(primary.name),
                    },
                    { parent: this, aliases: movedFromStackRoot() },
                ),
            );
        }
    }

    /**
     * Remote secrets: a reader token in every installed cluster (published, so that a primary of
     * another stack can hold it too), placed in each primary that must see the cluster.
     */
    private placeRemoteSecrets() {
        const readers = new Map<string, ReaderToken>();
        for (const cluster of this.installed) {
            const reader = new ReaderToken(
                cluster.name,
                {
                    clusterName: cluster.name,
                    apiServerUrl: cluster.apiServerUrl,
                    certificateAuthorityData: cluster.certificateAuthorityData,
                    provider: cluster.provider,
                    controlPlane: this.controlPlaneOf(cluster.name),
                },
                { parent: this, aliases: movedFromStackRoot() },
            );
            readers.set(cluster.name, reader);
            this.readerKubeconfigs.set(cluster.name, reader.kubeconfig);
        }
        const placement = remoteSecretPlacement(this.topology);
        for (const primary of this.installed.filter((c) => c.role === "primary")) {
            const attached: string[] = [];
            this.members[primary.name] = { attached };
            for (const clusterName of placement.get(primary.name) ?? []) {
                const kubeconfig = this.local.has(clusterName)
                    ? readers.get(clusterName)?.kubeconfig
                    : this.peers.get(clusterName)?.remoteSecret;
                if (kubeconfig === undefined) {
                    if (this.local.has(clusterName))
                        this.waiting.push(`${primary.name}: holds ${clusterName}'s remote secret once ${clusterName} has Istio`);
                    continue;
                }
                this.remoteSecrets.set(
                    `${primary.name}/${clusterName}`,
                    new RemoteSecret(
                        `${primary.name}-${clusterName}`,
                        {
                            clusterName,
                            kubeconfig: pulumi.secret(kubeconfig),
                            provider: primary.provider,
                            // Multi-primary: the secret follows both control planes.
                            controlPlane: this.controlPlaneOf(primary.name),
                        },
                        { parent: this, aliases: movedFromStackRoot() },
                    ),
                );
                attached.push(clusterName);
            }
        }
    }

    /**
     * What must be in place before an injected pod is admitted in a cluster: its istiod; in a
     * remote, its primary's istiod, reached by the remote's API server through the primary's
     * exposed istiod and gateway, once the primary holds the remote's secret. Undefined while
     * the remote is not attached yet.
     */
    private injectionReady(cluster: MeshCluster): pulumi.Resource[] | undefined {
        const own = this.controlPlanes.get(cluster.name)?.istiod;
        if (!own) return undefined;
        // With the default tag on a revision, its webhooks in this cluster are what injects.
        const tag = this.tags.get(cluster.name);
        const path = this.injectionPath(cluster);
        return path && tag ? [...path, tag] : path;
    }

    /** The control planes and the path between them that injection in a cluster needs (see injectionReady). */
    private injectionPath(cluster: MeshCluster): pulumi.Resource[] | undefined {
        const own = this.controlPlanes.get(cluster.name)!.istiod;
        if (cluster.role === "primary") return [own];
        const primaryName = this.primaryOf(cluster.name)!;
        if (!this.local.has(primaryName)) {
            // Across stacks the order is the orchestrator's: the primary's stack says when it attached us.
            return this.peers.get(primaryName)?.attached.includes(cluster.name) ? [own] : undefined;
        }
        const secret = this.remoteSecrets.get(`${primaryName}/${cluster.name}`);
        if (!this.controlPlanes.has(primaryName) || !secret) return undefined;
        return [
            own,
            this.controlPlanes.get(primaryName)!.istiod,
            this.crossNetwork.get(primaryName)!,
            this.gateways.get(primaryName)!,
            secret,
        ];
    }

    /** Installed clusters that are attached (primaries first): gateways and workloads may start there. */
    private attachedMembers(): IstioMeshMember[] {
        const installed = this.args.members.filter((m) => this.controlPlanes.has(m.cluster.name));
        return primariesFirst(installed.map((m) => ({ ...m, name: m.cluster.name, role: m.cluster.role }))).filter((m) => {
            if (this.injectionReady(m.cluster)) return true;
            this.waiting.push(`${m.cluster.name}: gateways and workloads wait until its primary ${m.primary} has attached it`);
            return false;
        });
    }

    /** Charts of a cluster's gateways: those of the revision that injects them (its default tag's). */
    private gatewayCharts(cluster: MeshCluster) {
        const tag = this.controlPlanes.get(cluster.name)!.defaultRevision;
        const revision = this.installedRevisions.get(cluster.name)?.find((r) => r.name === tag);
        return revision ? { repository: this.args.charts.repository, version: revision.version } : this.args.charts;
    }

    /**
     * The `default` tag's webhook in a cluster, when it points at a named revision (the
     * unrevisioned istiod's own webhook is the default one otherwise: a tag too would match pods
     * twice). It waits until the target revision runs in every cluster of this stack and, in a
     * remote, until the path to its primary's istiod of that revision is up.
     */
    private installRevisionTag(cluster: MeshCluster) {
        const target = this.controlPlanes.get(cluster.name)!.defaultRevision;
        if (target === unrevisioned) return;
        const revisionUp = [...this.controlPlanes.values()].flatMap((cp) => cp.istiods.get(target) ?? []);
        this.tags.set(
            cluster.name,
            new RevisionTag(
                `${cluster.name}-revision-tag-default`,
                {
                    tag: "default",
                    revision: target,
                    injectionPath: cluster.role === "remote" ? `/inject/cluster/${cluster.name}/net/${cluster.network}` : "/inject",
                    provider: cluster.provider,
                    // Not attached yet (a remote whose primary has not attached it): its own istiod only.
                    revisionReady: [
                        ...new Set([...revisionUp, ...(this.injectionPath(cluster) ?? [this.controlPlanes.get(cluster.name)!.istiod])]),
                    ],
                },
                { parent: this },
            ),
        );
    }

    private installEastWestGateways(attached: IstioMeshMember[]) {
        // Each cluster's tag before its gateway, whose pods it injects.
        for (const member of attached) {
            const cluster = member.cluster;
            this.installRevisionTag(cluster);
            this.gateways.set(
                cluster.name,
                new EastWestGateway(
                    cluster.name,
                    {
                        network: cluster.network,
                        // Only a primary with remotes (here or in peer stacks) serves istiod through it.
                        exposeIstiod: cluster.role === "primary" && remotesOf(cluster.name, this.topology).length > 0,
                        address: member.eastWest.address,
                        allowedSourceRanges: member.eastWest.sourceRanges,
                        ...this.gatewayBasics(cluster),
                    },
                    { parent: this, aliases: movedFromStackRoot() },
                ),
            );
        }
        // A cluster not attached yet gets its tag too: its unrevisioned istiod gives up its webhook with the tag's move.
        for (const cluster of this.installed.filter((c) => !this.tags.has(c.name))) this.installRevisionTag(cluster);
    }

    /** What every gateway of a cluster shares: its charts and injector, provider, and when it may start. */
    private gatewayBasics(cluster: MeshCluster) {
        return {
            charts: this.gatewayCharts(cluster),
            injectedBy: this.controlPlanes.get(cluster.name)!.defaultRevision,
            provider: cluster.provider,
            nodesReady: cluster.nodesReady,
            injectionReady: this.injectionReady(cluster)!,
        };
    }

    /** Zero trust by default: mesh-wide mTLS on every primary (it governs its remotes too). */
    private enforceMtls() {
        for (const primary of this.installed.filter((c) => c.role === "primary")) {
            new MeshMtls(
                primary.name,
                { mode: this.args.mtlsMode, provider: primary.provider, controlPlane: this.controlPlaneOf(primary.name) },
                { parent: this, aliases: movedFromStackRoot() },
            );
        }
    }

    /** North-south: an ingress gateway where configured, on its own static address. */
    private installIngressGateways(attached: IstioMeshMember[]) {
        for (const member of attached.filter((m) => m.ingress)) {
            const cluster = member.cluster;
            this.ingresses.set(
                cluster.name,
                new IngressGateway(
                    cluster.name,
                    {
                        address: member.ingress!.address,
                        allowedSourceRanges: member.ingress!.sourceRanges,
                        https: member.ingress!.https,
                        adoptsExistingObjects: cluster.adoptsExistingObjects,
                        ...this.gatewayBasics(cluster),
                    },
                    { parent: this, aliases: movedFromStackRoot() },
                ),
            );
        }
    }

    /** The helloworld demo in every attached cluster, its routing on every primary. */
    private installDemo(attached: IstioMeshMember[], options: MeshDemoOptions) {
        const primaries = this.installed.filter((c) => c.role === "primary");
        new MeshDemo(
            "demo",
            {
                ...options,
                imageHub: this.args.imageHub,
                clusters: attached.map((m) => {
                    const ready = this.injectionReady(m.cluster)!;
                    return {
                        cluster: m.cluster,
                        version: m.helloworldVersion ?? "v1",
                        // In a remote, the workloads also wait for the remote's own gateway: its network must be reachable.
                        injectionReady: m.cluster.role === "remote" ? [...ready, this.gateways.get(m.cluster.name)!] : ready,
                    };
                }),
                primaries: primaries.map((p) => {
                    // Istio configuration lives on the primary that serves a cluster: itself and its remotes.
                    const served = [p.name, ...remotesOf(p.name, this.topology)];
                    return {
                        cluster: p,
                        controlPlane: this.controlPlaneOf(p.name),
                        routesIngress: served.some((n) => this.ingresses.has(n)),
                    };
                }),
            },
            { parent: this },
        );
    }
}
