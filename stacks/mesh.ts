import * as pulumi from "@pulumi/pulumi";
import type { MeshCluster } from "../components/clusters/cluster";
import { ControlPlane } from "../components/mesh/controlPlane";
import { CrossNetworkConfig } from "../components/mesh/crossNetworkConfig";
import { Helloworld } from "../components/apps/helloworld";
import { HelloworldRouting } from "../components/apps/helloworldRouting";
import { EastWestGateway } from "../components/mesh/eastWestGateway";
import { IngressGateway } from "../components/mesh/ingressGateway";
import { CaBundle, IntermediateCa } from "../components/mesh/intermediateCa";
import { MeshMtls } from "../components/mesh/meshMtls";
import { ReaderToken } from "../components/mesh/readerToken";
import { RemoteSecret } from "../components/mesh/remoteSecret";
import { MeshRootCa } from "../components/mesh/rootCa";
import { createClusters, eastWestPurpose, ingressPurpose } from "./clusters";
import { loadMeshConfig, MeshConfig } from "./config";
import { CaBundlePems, certificateFingerprint, checkPeers, contractVersion, noPeers, Peers, readPeerStacks } from "./peers";
import { primariesFirst, remoteSecretPlacement, remotesOf } from "./topology";

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
    // Peers are read (a missing output is normal before their first run) and checked next.
    const peers = config.peers.length > 0 || config.rootCaFrom ? checkPeers(config, await readPeerStacks(config)) : noPeers;
    const clusters = await createClusters(config);
    return wireMesh(config, clusters, peers);
}

/**
 * Installs Istio on every cluster of this stack and wires the clusters together, peers of
 * other stacks included as far as they have published. Every edge between two clusters is
 * made here.
 */
export function wireMesh(config: MeshConfig, clusters: MeshCluster[], peers: Peers = noPeers): MeshOutputs {
    const charts = { repository: config.chartRepository, version: config.istioVersion };
    const local = new Map(clusters.map((c) => [c.name, c]));
    const topology = [
        ...config.clusters.map((c) => ({ name: c.name, role: c.role, primary: c.primary })),
        ...config.peers.map((p) => ({ name: p.name, role: p.role, primary: p.primary })),
    ];
    const primaryOf = (name: string) => topology.find((t) => t.name === name)?.primary;
    const waiting = [...peers.waiting];
    const localPrimaries = clusters.filter((c) => c.role === "primary");

    // One root of trust: cross-cluster mTLS needs every istiod's CA to chain to it. The stack
    // that owns it issues every primary's intermediate, its peers' included.
    const bundles = new Map<string, CaBundle>();
    const peerBundles: [string, pulumi.Output<CaBundlePems>][] = [];
    let rootCaFingerprint: pulumi.Output<string> | undefined;
    if (!config.rootCaFrom && localPrimaries.length > 0) {
        // The user's root (secret config), or one generated and kept in this stack's state.
        const root = config.rootCa
            ? { certPem: pulumi.output(config.rootCa.certPem), privateKeyPem: pulumi.secret(config.rootCa.keyPem) }
            : new MeshRootCa("mesh-root-ca", { meshId: config.meshId, protect: config.protectRootCa });
        const issue = (clusterName: string) =>
            new IntermediateCa(`${clusterName}-ca`, { clusterName, rootCertPem: root.certPem, rootKeyPem: root.privateKeyPem }).bundle;
        localPrimaries.forEach((p) => bundles.set(p.name, issue(p.name)));
        for (const peer of config.peers.filter((p) => p.role === "primary")) {
            const bundle = issue(peer.name);
            peerBundles.push([
                peer.name,
                pulumi.secret(
                    pulumi
                        .all([bundle.caCertPem, bundle.caKeyPem, bundle.rootCertPem, bundle.certChainPem])
                        .apply(([caCertPem, caKeyPem, rootCertPem, certChainPem]): CaBundlePems => ({ caCertPem, caKeyPem, rootCertPem, certChainPem })),
                ),
            ]);
        }
        rootCaFingerprint = root.certPem.apply(certificateFingerprint);
        if (peers.rootCaFingerprint) {
            const theirs = peers.rootCaFingerprint;
            rootCaFingerprint.apply((ours) => {
                if (ours !== theirs) {
                    pulumi.log.error(`peers: they publish mesh root ${theirs.slice(0, 16)}…, this stack owns root ${ours.slice(0, 16)}…; a mesh has one root CA (set rootCaFrom on every stack but the owner)`);
                }
            });
        }
    } else {
        for (const [name, b] of peers.caBundles) {
            bundles.set(name, {
                caCertPem: pulumi.output(b.caCertPem),
                caKeyPem: pulumi.secret(b.caKeyPem),
                rootCertPem: pulumi.output(b.rootCertPem),
                certChainPem: pulumi.output(b.certChainPem),
            });
        }
        rootCaFingerprint = peers.rootCaFingerprint ? pulumi.output(peers.rootCaFingerprint) : undefined;
    }

    // Control planes, where what they need is known: a primary its CA, a remote its primary's address.
    const controlPlanes = new Map<string, ControlPlane>();
    for (const cluster of primariesFirst(clusters)) {
        let role: ConstructorParameters<typeof ControlPlane>[1]["role"];
        if (cluster.role === "primary") {
            const cacerts = bundles.get(cluster.name);
            if (!cacerts) continue; // awaited from the root owner (said by checkPeers)
            role = { kind: "primary", cacerts, servesRemotes: remotesOf(cluster.name, topology).length > 0 };
        } else {
            const primaryName = primaryOf(cluster.name)!;
            // Only the primary's static address: the remote's charts install in parallel with the primary.
            const address = local.has(primaryName)
                ? local.get(primaryName)!.addresses[eastWestPurpose].ip
                : peers.views.get(primaryName)?.published?.eastWestAddress;
            if (address === undefined) {
                waiting.push(`${cluster.name}: Istio waits for the east-west address of its primary ${primaryName}`);
                continue;
            }
            role = { kind: "remote", primaryCluster: primaryName, primaryAddress: address };
        }
        controlPlanes.set(
            cluster.name,
            new ControlPlane(cluster.name, {
                clusterName: cluster.name,
                network: cluster.network,
                meshId: config.meshId,
                role,
                charts,
                imageHub: config.imageHub,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
            }),
        );
    }
    const installed = clusters.filter((c) => controlPlanes.has(c.name));
    const installedPrimaries = installed.filter((c) => c.role === "primary");
    const controlPlaneOf = (name: string) => {
        const cp = controlPlanes.get(name)!;
        return [cp.base, cp.istiod];
    };

    const crossNetwork = new Map<string, CrossNetworkConfig>();
    for (const primary of installedPrimaries) {
        crossNetwork.set(
            primary.name,
            new CrossNetworkConfig(primary.name, {
                exposeIstiod: remotesOf(primary.name, topology).length > 0,
                provider: primary.provider,
                controlPlane: controlPlaneOf(primary.name),
            }),
        );
    }

    // Remote secrets: a reader token in every cluster (published, so that a primary of another
    // stack can hold it too), placed in each primary that must see the cluster.
    const readers = new Map<string, ReaderToken>();
    for (const cluster of installed) {
        readers.set(
            cluster.name,
            new ReaderToken(cluster.name, {
                clusterName: cluster.name,
                apiServerUrl: cluster.apiServerUrl,
                certificateAuthorityData: cluster.certificateAuthorityData,
                provider: cluster.provider,
                controlPlane: controlPlaneOf(cluster.name),
            }),
        );
    }
    const remoteSecrets = new Map<string, RemoteSecret>();
    const attached = new Map<string, string[]>();
    for (const primary of installedPrimaries) {
        attached.set(primary.name, []);
        for (const clusterName of remoteSecretPlacement(topology).get(primary.name) ?? []) {
            const kubeconfig = local.has(clusterName)
                ? readers.get(clusterName)?.kubeconfig
                : peers.views.get(clusterName)?.remoteSecret;
            if (kubeconfig === undefined) {
                if (local.has(clusterName)) waiting.push(`${primary.name}: holds ${clusterName}'s remote secret once ${clusterName} has Istio`);
                continue;
            }
            remoteSecrets.set(
                `${primary.name}/${clusterName}`,
                new RemoteSecret(`${primary.name}-${clusterName}`, {
                    clusterName,
                    kubeconfig: pulumi.secret(kubeconfig),
                    provider: primary.provider,
                    // Multi-primary: the secret follows both control planes.
                    controlPlane: controlPlaneOf(primary.name),
                }),
            );
            attached.get(primary.name)!.push(clusterName);
        }
    }

    // What must be in place before an injected pod is admitted in a cluster: its istiod; in a
    // remote, its primary's istiod, reached by the remote's API server through the primary's
    // exposed istiod and gateway, once the primary holds the remote's secret. Undefined while
    // the remote is not attached yet.
    const gateways = new Map<string, EastWestGateway>();
    const injectionReady = (cluster: MeshCluster): pulumi.Resource[] | undefined => {
        const own = controlPlanes.get(cluster.name)?.istiod;
        if (!own) return undefined;
        if (cluster.role === "primary") return [own];
        const primaryName = primaryOf(cluster.name)!;
        if (!local.has(primaryName)) {
            // Across stacks the order is the orchestrator's: the primary's stack says when it attached us.
            const view = peers.views.get(primaryName);
            return view?.published?.remoteSecrets.includes(cluster.name) ? [own] : undefined;
        }
        const secret = remoteSecrets.get(`${primaryName}/${cluster.name}`);
        if (!controlPlanes.has(primaryName) || !secret) return undefined;
        return [own, controlPlanes.get(primaryName)!.istiod, crossNetwork.get(primaryName)!, gateways.get(primaryName)!, secret];
    };
    const settings = new Map(config.clusters.map((c) => [c.name, c]));
    const attachedClusters = primariesFirst(installed).filter((cluster) => {
        if (injectionReady(cluster)) return true;
        waiting.push(`${cluster.name}: gateways and workloads wait until its primary ${primaryOf(cluster.name)} has attached it`);
        return false;
    });
    for (const cluster of attachedClusters) {
        gateways.set(
            cluster.name,
            new EastWestGateway(cluster.name, {
                network: cluster.network,
                address: cluster.addresses[eastWestPurpose],
                allowedSourceRanges: settings.get(cluster.name)!.eastWestSourceRanges,
                charts,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
                injectionReady: injectionReady(cluster)!,
            }),
        );
    }

    // Zero trust by default: mesh-wide mTLS on every primary (it governs its remotes too).
    for (const primary of installedPrimaries) {
        new MeshMtls(primary.name, { mode: config.mtlsMode, provider: primary.provider, controlPlane: controlPlaneOf(primary.name) });
    }

    // North-south: an ingress gateway where configured, on its own static address.
    const ingresses = new Map<string, IngressGateway>();
    for (const cluster of attachedClusters.filter((c) => settings.get(c.name)!.ingress)) {
        ingresses.set(
            cluster.name,
            new IngressGateway(cluster.name, {
                address: cluster.addresses[ingressPurpose],
                allowedSourceRanges: settings.get(cluster.name)!.ingressSourceRanges,
                charts,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
                injectionReady: injectionReady(cluster)!,
            }),
        );
    }

    if (config.demo) {
        const demos = new Map<string, Helloworld>();
        for (const cluster of attachedClusters) {
            // In a remote, the workloads also wait for the remote's own gateway: its network must be reachable.
            const ready = injectionReady(cluster)!;
            demos.set(
                cluster.name,
                new Helloworld(cluster.name, {
                    version: settings.get(cluster.name)!.helloworldVersion,
                    imageHub: config.imageHub,
                    provider: cluster.provider,
                    nodesReady: cluster.nodesReady,
                    injectionReady: cluster.role === "remote" ? [...ready, gateways.get(cluster.name)!] : ready,
                }),
            );
        }
        for (const primary of installedPrimaries) {
            // Istio configuration lives on the primary that serves a cluster: itself and its remotes.
            const served = [primary.name, ...remotesOf(primary.name, topology)];
            const routesIngress = served.some((name) => ingresses.has(name));
            new HelloworldRouting(primary.name, {
                localityFailover: config.trafficPolicy.localityFailover,
                versionHeader: config.trafficPolicy.versionHeader,
                ingress: routesIngress ? { tls: config.ingressTls } : undefined,
                provider: primary.provider,
                dependsOn: [...controlPlaneOf(primary.name), demos.get(primary.name)!.namespace],
            });
        }
    }

    // The program says on every run what the mesh still waits for.
    waiting.forEach((w) => pulumi.log.info(`waiting: ${w}`));

    const outputs: Record<string, ClusterOutput> = {};
    for (const cluster of clusters) {
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
            eastWestAddress: gateways.get(cluster.name)?.address ?? cluster.addresses[eastWestPurpose]?.ip,
            ingressAddress: ingresses.get(cluster.name)?.address,
            rootCaFingerprint,
            remoteSecrets: attached.get(cluster.name) ?? [],
            istioVersion: config.istioVersion,
            imageHub: config.imageHub,
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
        remoteSecrets: secretMap([...readers].map(([name, r]) => [name, r.kubeconfig])),
        caBundles: peerBundles.length > 0 ? secretMap(peerBundles) : undefined,
        waitingFor: waiting.length > 0 ? waiting : undefined,
    };
}
