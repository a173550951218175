import * as pulumi from "@pulumi/pulumi";
import type { MeshCluster } from "../components/clusters/cluster";
import { IstioMesh, IstioMeshMember, IstioMeshPeer, RootOfTrust } from "../components/mesh/istioMesh";
import { createClusters, eastWestPurpose, ingressPurpose } from "./clusters";
import { ConfigError, loadMeshConfig, MeshConfig } from "./config";
import { CaBundlePems, checkPeers, contractVersion, noPeers, Peers, readPeerStacks } from "./peers";
import { IstioRevision, PublishedRevisions, readPreviousRun, revisionRemovalProblems } from "./revisions";

/** What one cluster publishes (nothing secret): the contract other stacks read, plus details. */
export interface ClusterOutput {
    /** Major version of this contract (see stacks/peers.ts). */
    contract: number;
    meshId: string;
    name: string;
    cloud: string;
    role: string;
    primary?: string;
    network: string;
    apiServerUrl: pulumi.Output<string>;
    egressIps: pulumi.Output<string[]>;
    /** Address of the east-west gateway: the IP a remote uses as remotePilotAddress. */
    eastWestAddress?: pulumi.Output<string>;
    /** Address of the ingress gateway, when the cluster runs one. */
    ingressAddress?: pulumi.Output<string>;
    /** SHA-256 of the mesh root certificate, so that peers can check they share one root. */
    rootCaFingerprint?: pulumi.Output<string>;
    /** Clusters whose remote secrets this primary holds: the clusters it has attached. */
    remoteSecrets: string[];
    /** Istio version of its charts: a remote may not run a newer minor than its primary. */
    istioVersion: string;
    /** Where its Istio images come from: a primary injects its remotes' proxies from its own hub. */
    imageHub: string;
    /** With revisions: the revisions installed in it (a remote's stack waits for its primary's). */
    revisions?: IstioRevision[];
    /** With revisions: the revision its default tag points at. */
    defaultRevision?: string;
}

/** The stack's outputs. Secrets are kept in their own outputs so `clusters` stays readable. */
export interface MeshOutputs {
    meshId: string;
    /** What `npm run verify` needs to judge the demo. */
    demo: { enabled: boolean; localityFailover: boolean; versionHeader: boolean; ingressHost?: string };
    clusters: Record<string, ClusterOutput>;
    /** Kubeconfigs the program deploys with, by cluster (secret). */
    kubeconfigs: pulumi.Output<Record<string, string>>;
    /** Each cluster's remote secret kubeconfig (bearer token), by cluster (secret). */
    remoteSecrets: pulumi.Output<Record<string, string>>;
    /** Intermediate CAs this stack, owning the root, issued to peer primaries (secret). */
    caBundles?: pulumi.Output<Record<string, CaBundlePems>>;
    /** What the mesh still waits for (other stacks' runs), when anything. */
    waitingFor?: string[];
}

/** Builds this stack's mesh from its config; the program's only entry point. */
export async function buildMesh(): Promise<MeshOutputs> {
    // Config is validated completely before any resource is registered.
    const { config, warnings } = loadMeshConfig();
    warnings.forEach((w) => pulumi.log.warn(w));
    // With revisions, the previous run says what a change removes: refused before anything is registered.
    const previous = config.revisions ? await readPreviousRun() : undefined;
    if (config.revisions) {
        const problems = [...new Set([...(previous?.values() ?? [])].flatMap((p) => revisionRemovalProblems(p, config.revisions!)))];
        if (problems.length > 0) throw new ConfigError(problems);
    }
    // Peers are read (a missing output is normal before their first run) and checked next.
    const peers = config.peers.length > 0 || config.rootCaFrom ? checkPeers(config, await readPeerStacks(config)) : noPeers;
    const clusters = await createClusters(config);
    return wireMesh(config, clusters, peers, previous);
}

/**
 * The mesh of this stack's clusters, as an IstioMesh: each cluster's settings from config, and
 * what the peers published so far.
 */
export function wireMesh(
    config: MeshConfig,
    clusters: MeshCluster[],
    peers: Peers = noPeers,
    previous?: Map<string, PublishedRevisions>,
): MeshOutputs {
    const settings = new Map(config.clusters.map((c) => [c.name, c]));
    // The stack owns the root when it has primaries and takes it from nobody; otherwise it uses
    // what the root's owner issued and published.
    const ownsRoot = !config.rootCaFrom && clusters.some((c) => c.role === "primary");
    const rootOfTrust: RootOfTrust = !ownsRoot
        ? { kind: "issued", bundles: peers.caBundles, rootCaFingerprint: peers.rootCaFingerprint }
        : config.rootCa
          ? { kind: "brought", certPem: config.rootCa.certPem, keyPem: pulumi.secret(config.rootCa.keyPem) }
          : { kind: "generated", protect: config.protectRootCa };
    const mesh = new IstioMesh(config.meshId, {
        meshId: config.meshId,
        charts: { repository: config.chartRepository, version: config.istioVersion },
        imageHub: config.imageHub,
        mtlsMode: config.mtlsMode,
        rootOfTrust,
        peersRootCaFingerprint: ownsRoot ? peers.rootCaFingerprint : undefined,
        issueFor: ownsRoot ? config.peers.filter((p) => p.role === "primary").map((p) => p.name) : [],
        members: clusters.map((cluster): IstioMeshMember => {
            const c = settings.get(cluster.name)!;
            return {
                cluster,
                primary: c.primary,
                eastWest: { address: cluster.addresses[eastWestPurpose], sourceRanges: c.eastWestSourceRanges },
                ingress: c.ingress
                    ? // HTTPS is served (and 443 opened) only with ingressTls.
                      {
                          address: cluster.addresses[ingressPurpose],
                          sourceRanges: c.ingressSourceRanges,
                          https: config.ingressTls !== undefined,
                      }
                    : undefined,
                helloworldVersion: c.helloworldVersion,
            };
        }),
        peers: config.peers.map((p): IstioMeshPeer => {
            const view = peers.views.get(p.name);
            return {
                name: p.name,
                role: p.role,
                primary: p.primary,
                published: view?.published !== undefined,
                eastWestAddress: view?.published?.eastWestAddress,
                remoteSecret: view?.remoteSecret,
                attached: view?.published?.remoteSecrets ?? [],
                revisions: view?.published?.revisions,
            };
        }),
        revisions: config.revisions,
        previousDefaultRevision: [...(previous?.values() ?? [])].find((p) => p.defaultRevision)?.defaultRevision,
        demo: config.demo
            ? {
                  localityFailover: config.trafficPolicy.localityFailover,
                  versionHeader: config.trafficPolicy.versionHeader,
                  ingressTls: config.ingressTls,
              }
            : undefined,
    });

    // The program says on every run what the mesh still waits for.
    const waiting = [...peers.waiting, ...mesh.waiting];
    waiting.forEach((w) => pulumi.log.info(`waiting: ${w}`));

    const primaryOf = (name: string) => settings.get(name)?.primary;
    const outputs: Record<string, ClusterOutput> = {};
    for (const cluster of clusters) {
        const made = mesh.members[cluster.name];
        outputs[cluster.name] = {
            contract: contractVersion,
            meshId: config.meshId,
            name: cluster.name,
            cloud: cluster.cloud,
            role: cluster.role,
            primary: primaryOf(cluster.name),
            network: cluster.network,
            apiServerUrl: cluster.apiServerUrl,
            egressIps: cluster.egressIps,
            eastWestAddress: made.eastWestAddress,
            ingressAddress: made.ingressAddress,
            rootCaFingerprint: mesh.rootCaFingerprint,
            remoteSecrets: made.attached,
            istioVersion: config.istioVersion,
            imageHub: config.imageHub,
            ...(made.revisions ? { revisions: made.revisions, defaultRevision: made.defaultRevision } : {}),
        };
    }
    const secretMap = <T>(entries: [string, pulumi.Input<T>][]) =>
        pulumi.secret(pulumi.all(Object.fromEntries(entries)) as pulumi.Output<Record<string, T>>);
    return {
        meshId: config.meshId,
        demo: {
            enabled: config.demo,
            localityFailover: config.trafficPolicy.localityFailover,
            versionHeader: config.trafficPolicy.versionHeader,
            ingressHost: config.ingressTls?.host,
        },
        clusters: outputs,
        kubeconfigs: secretMap(clusters.map((c) => [c.name, c.kubeconfig])),
        remoteSecrets: secretMap([...mesh.readerKubeconfigs]),
        caBundles: mesh.issuedCaBundles.size > 0 ? secretMap([...mesh.issuedCaBundles]) : undefined,
        waitingFor: waiting.length > 0 ? waiting : undefined,
    };
}
