import * as pulumi from "@pulumi/pulumi";
import type { MeshCluster } from "../components/clusters/cluster";
import { ControlPlane } from "../components/mesh/controlPlane";
import { CrossNetworkConfig } from "../components/mesh/crossNetworkConfig";
import { Helloworld } from "../components/apps/helloworld";
import { HelloworldRouting } from "../components/apps/helloworldRouting";
import { EastWestGateway } from "../components/mesh/eastWestGateway";
import { IngressGateway } from "../components/mesh/ingressGateway";
import { IntermediateCa } from "../components/mesh/intermediateCa";
import { MeshMtls } from "../components/mesh/meshMtls";
import { ReaderToken } from "../components/mesh/readerToken";
import { RemoteSecret } from "../components/mesh/remoteSecret";
import { MeshRootCa } from "../components/mesh/rootCa";
import { createClusters, eastWestPurpose, ingressPurpose } from "./clusters";
import { loadMeshConfig, MeshConfig } from "./config";
import { primariesFirst, remoteSecretPlacement, remotesOf } from "./topology";

/** What one cluster publishes (nothing secret). */
export interface ClusterOutput {
    name: string;
    cloud: string;
    role: string;
    primary?: string;
    network: string;
    apiServerUrl: pulumi.Output<string>;
    egressIps: pulumi.Output<string[]>;
    /** Address of the east-west gateway: the IP a remote uses as remotePilotAddress. */
    eastWestAddress: pulumi.Output<string>;
    /** Address of the ingress gateway, when the cluster runs one. */
    ingressAddress?: pulumi.Output<string>;
    /** Clusters whose remote secrets this cluster holds (primaries only). */
    remoteSecrets: string[];
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
}

/** Builds this stack's mesh from its config; the program's only entry point. */
export async function buildMesh(): Promise<MeshOutputs> {
    // Config is validated completely before any resource is registered.
    const { config, warnings } = loadMeshConfig();
    warnings.forEach((w) => pulumi.log.warn(w));
    const clusters = await createClusters(config);
    return wireMesh(config, clusters);
}

/**
 * Installs Istio on every cluster and wires the clusters together. Every edge between two
 * clusters is made here.
 */
export function wireMesh(config: MeshConfig, clusters: MeshCluster[]): MeshOutputs {
    const charts = { repository: config.chartRepository, version: config.istioVersion };
    const byName = new Map(clusters.map((c) => [c.name, c]));
    const topology = config.clusters.map((c) => ({ name: c.name, role: c.role, primary: c.primary }));
    const primaryOf = (name: string) => topology.find((t) => t.name === name)?.primary;

    // One root of trust: cross-cluster mTLS needs every istiod's CA to chain to it.
    const root = new MeshRootCa("mesh-root-ca", { meshId: config.meshId, protect: config.protectRootCa });

    const controlPlanes = new Map<string, ControlPlane>();
    for (const cluster of primariesFirst(clusters)) {
        let role: ConstructorParameters<typeof ControlPlane>[1]["role"];
        if (cluster.role === "primary") {
            const ca = new IntermediateCa(`${cluster.name}-ca`, {
                clusterName: cluster.name,
                rootCertPem: root.certPem,
                rootKeyPem: root.privateKeyPem,
            });
            role = { kind: "primary", cacerts: ca.bundle, servesRemotes: remotesOf(cluster.name, topology).length > 0 };
        } else {
            const primary = byName.get(primaryOf(cluster.name)!)!;
            // Only the primary's static address: the remote's charts install in parallel with the primary.
            role = { kind: "remote", primaryCluster: primary.name, primaryAddress: primary.addresses[eastWestPurpose].ip };
        }
        controlPlanes.set(
            cluster.name,
            new ControlPlane(cluster.name, {
                clusterName: cluster.name,
                network: cluster.network,
                meshId: config.meshId,
                role,
                charts,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
            }),
        );
    }
    const controlPlaneOf = (name: string) => {
        const cp = controlPlanes.get(name)!;
        return [cp.base, cp.istiod];
    };

    const crossNetwork = new Map<string, CrossNetworkConfig>();
    for (const primary of clusters.filter((c) => c.role === "primary")) {
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
    const placement = remoteSecretPlacement(topology);
    const readers = new Map<string, ReaderToken>();
    for (const cluster of clusters) {
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
    for (const [primaryName, held] of placement) {
        const primary = byName.get(primaryName)!;
        for (const clusterName of held) {
            remoteSecrets.set(
                `${primaryName}/${clusterName}`,
                new RemoteSecret(`${primaryName}-${clusterName}`, {
                    clusterName,
                    kubeconfig: readers.get(clusterName)!.kubeconfig,
                    provider: primary.provider,
                    // Multi-primary: the secret follows both control planes.
                    controlPlane: controlPlaneOf(primaryName),
                }),
            );
        }
    }

    // What must be in place before an injected pod is admitted in a cluster: its istiod; in a
    // remote, its primary's istiod, reached by the remote's API server through the primary's
    // exposed istiod and gateway, once the primary holds the remote's secret.
    const gateways = new Map<string, EastWestGateway>();
    const injectionReady = (cluster: MeshCluster): pulumi.Resource[] => {
        const own = controlPlanes.get(cluster.name)!.istiod;
        if (cluster.role === "primary") return [own];
        const primaryName = primaryOf(cluster.name)!;
        return [
            own,
            controlPlanes.get(primaryName)!.istiod,
            crossNetwork.get(primaryName)!,
            gateways.get(primaryName)!,
            remoteSecrets.get(`${primaryName}/${cluster.name}`)!,
        ];
    };
    const settings = new Map(config.clusters.map((c) => [c.name, c]));
    for (const cluster of primariesFirst(clusters)) {
        gateways.set(
            cluster.name,
            new EastWestGateway(cluster.name, {
                network: cluster.network,
                address: cluster.addresses[eastWestPurpose],
                allowedSourceRanges: settings.get(cluster.name)!.eastWestSourceRanges,
                charts,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
                injectionReady: injectionReady(cluster),
            }),
        );
    }

    // Zero trust by default: mesh-wide mTLS on every primary (it governs its remotes too).
    for (const primary of clusters.filter((c) => c.role === "primary")) {
        new MeshMtls(primary.name, { mode: config.mtlsMode, provider: primary.provider, controlPlane: controlPlaneOf(primary.name) });
    }

    // North-south: an ingress gateway where configured, on its own static address.
    const ingresses = new Map<string, IngressGateway>();
    for (const cluster of clusters.filter((c) => settings.get(c.name)!.ingress)) {
        ingresses.set(
            cluster.name,
            new IngressGateway(cluster.name, {
                address: cluster.addresses[ingressPurpose],
                allowedSourceRanges: settings.get(cluster.name)!.ingressSourceRanges,
                charts,
                provider: cluster.provider,
                nodesReady: cluster.nodesReady,
                injectionReady: injectionReady(cluster),
            }),
        );
    }

    if (config.demo) {
        const demos = new Map<string, Helloworld>();
        for (const cluster of clusters) {
            // In a remote, the workloads also wait for the remote's own gateway: its network must be reachable.
            const ready = cluster.role === "remote" ? [...injectionReady(cluster), gateways.get(cluster.name)!] : injectionReady(cluster);
            demos.set(
                cluster.name,
                new Helloworld(cluster.name, {
                    version: settings.get(cluster.name)!.helloworldVersion,
                    provider: cluster.provider,
                    nodesReady: cluster.nodesReady,
                    injectionReady: ready,
                }),
            );
        }
        for (const primary of clusters.filter((c) => c.role === "primary")) {
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

    const outputs: Record<string, ClusterOutput> = {};
    for (const cluster of clusters) {
        outputs[cluster.name] = {
            name: cluster.name,
            cloud: cluster.cloud,
            role: cluster.role,
            primary: primaryOf(cluster.name),
            network: cluster.network,
            apiServerUrl: cluster.apiServerUrl,
            egressIps: cluster.egressIps,
            eastWestAddress: gateways.get(cluster.name)!.address,
            ingressAddress: ingresses.get(cluster.name)?.address,
            remoteSecrets: placement.get(cluster.name) ?? [],
        };
    }
    const secretMap = (entries: [string, pulumi.Output<string>][]) =>
        pulumi.secret(pulumi.all(Object.fromEntries(entries)) as pulumi.Output<Record<string, string>>);
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
    };
}
