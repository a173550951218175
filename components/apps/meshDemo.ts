import * as pulumi from "@pulumi/pulumi";
import type { MeshCluster } from "../clusters/cluster";
import { Helloworld, HelloworldVersion } from "./helloworld";
import { HelloworldRouting } from "./helloworldRouting";
import { movedFromStackRoot } from "../moved";

/** How the demo behaves: the choices a user makes. */
export interface MeshDemoOptions {
    /** Locality-aware failover (keeps traffic in the caller's region while local endpoints are healthy). */
    localityFailover: boolean;
    /** Route requests with header `end-user: jason` to v2. */
    versionHeader: boolean;
    /** HTTPS on the ingress routes: the host and the certificate Secret the user brings. */
    ingressTls?: { host: string; credentialName: string };
}

/** The helloworld demo across the mesh. */
export interface MeshDemoArgs extends MeshDemoOptions {
    /** Registry path of Istio's images, where the sample images come from. */
    imageHub: string;
    /** Every cluster that runs the demo, with the version it serves and when its pods may start. */
    clusters: { cluster: MeshCluster; version: HelloworldVersion; injectionReady: pulumi.Resource[] }[];
    /** Every primary, which holds the demo's Istio configuration for itself and its remotes. */
    primaries: { cluster: MeshCluster; controlPlane: pulumi.Resource[]; routesIngress: boolean }[];
}

/**
 * Istio's helloworld sample in every cluster (one version each, so answers show which network
 * served them) and its traffic policy and ingress routes on every primary.
 */
export class MeshDemo extends pulumi.ComponentResource {
    public readonly apps = new Map<string, Helloworld>();

    constructor(name: string, args: MeshDemoArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:apps:MeshDemo", name, {}, opts);
        for (const { cluster, version, injectionReady } of args.clusters) {
            this.apps.set(
                cluster.name,
                new Helloworld(
                    cluster.name,
                    { version, imageHub: args.imageHub, provider: cluster.provider, nodesReady: cluster.nodesReady, injectionReady },
                    { parent: this, aliases: movedFromStackRoot() },
                ),
            );
        }
        for (const { cluster, controlPlane, routesIngress } of args.primaries) {
            new HelloworldRouting(
                cluster.name,
                {
                    localityFailover: args.localityFailover,
                    versionHeader: args.versionHeader,
                    ingress: routesIngress ? { tls: args.ingressTls } : undefined,
                    provider: cluster.provider,
                    dependsOn: [...controlPlane, this.apps.get(cluster.name)!.namespace],
                },
                { parent: this, aliases: movedFromStackRoot() },
            );
        }
        this.registerOutputs({});
    }
}
