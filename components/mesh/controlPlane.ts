import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HelmValues, istioChart, IstioCharts, istioNamespace, releaseBasics } from "./chart";
import { adopted } from "./adopted";
import { CaBundle } from "./intermediateCa";

/** A primary runs istiod; a remote is configured and injected by its primary's istiod. */
export type ControlPlaneRole =
    | {
          kind: "primary";
          /** The mesh's CA material for this istiod (`cacerts`). */
          cacerts: CaBundle;
          /** True when remote clusters use this istiod: it then runs as an external istiod, replicated. */
          servesRemotes: boolean;
      }
    | {
          kind: "remote";
          /** Cluster ID of the primary that controls this remote. */
          primaryCluster: string;
          /** IPv4 of the primary's east-west gateway (never a hostname: see `remotePilotAddress`). */
          primaryAddress: pulumi.Input<string>;
      };

/** Istio's control plane in one cluster. */
export interface ControlPlaneArgs {
    /** Istio cluster ID (`global.multiCluster.clusterName`). */
    clusterName: string;
    /** Istio network of the cluster. */
    network: string;
    meshId: string;
    role: ControlPlaneRole;
    charts: IstioCharts;
    /**
     * Registry path of Istio's images (e.g. docker.io/istio, or a mirror reachable from every
     * cluster this primary injects). Unused on a remote, which renders no image.
     */
    imageHub: string;
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** The cluster's node pools: istiod would sit Pending without them until the Release times out. */
    nodesReady: pulumi.Resource[];
    /**
     * The cluster existed before the program (its provider upserts): `istio-system` and
     * `cacerts` may already be there, so they are adopted and kept on destroy.
     */
    adoptsExistingObjects?: boolean;
}

/** Seconds a Release waits for its workloads on install and for their removal on uninstall. */
export const controlPlaneTimeoutSeconds = 900;

/** Helm values of the `base` chart for a role. */
export function baseValues(role: ControlPlaneRole["kind"]): HelmValues {
    return role === "remote" ? { profile: "remote" } : {};
}

/** Helm values of the `istiod` chart for a cluster in a role. */
export function istiodValues(args: {
    clusterName: string;
    network: string;
    meshId: string;
    role: ControlPlaneRole;
    imageHub: string;
}): pulumi.Output<HelmValues> {
    const { clusterName, network, meshId, role, imageHub } = args;
    if (role.kind === "remote") {
        return pulumi.output(role.primaryAddress).apply((address): HelmValues => ({
            profile: "remote",
            global: {
                meshID: meshId,
                multiCluster: { clusterName },
                network,
                configCluster: true,
                // An IP makes the chart create a selector-less Service plus EndpointSlice, which the
                // remote's API server can call for the injection webhook; a hostname would not.
                remotePilotAddress: address,
            },
            istiodRemote: { injectionPath: `/inject/cluster/${clusterName}/net/${network}` },
        }));
    }
    return pulumi.output<HelmValues>({
        // `hub` is istiod's own image; `global.hub` reaches every proxy it injects (sidecars and
        // the gateways' `image: auto` pods, its remotes' included) through the injector's values.
        // Set both: Istio 1.30 releases default to registry.istio.io/release, retired in 2026.
        hub: imageHub,
        global: {
            hub: imageHub,
            meshID: meshId,
            multiCluster: { clusterName },
            network,
            ...(role.servesRemotes ? { externalIstiod: true } : {}),
        },
        // Remotes' injection webhooks fail closed while this istiod is down: keep two replicas
        // (which also gives istiod a PodDisruptionBudget).
        ...(role.servesRemotes ? { autoscaleMin: 2 } : {}),
    });
}

/**
 * Istio's control plane in one cluster: the labelled `istio-system` namespace, `cacerts` on a
 * primary, and the `base` and `istiod` charts with the values of the cluster's role.
 */
export class ControlPlane extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    /** The `base` release (CRDs, the reader service account). */
    public readonly base: k8s.helm.v3.Release;
    /** The `istiod` release (istiod on a primary; webhooks and reader role on a remote). */
    public readonly istiod: k8s.helm.v3.Release;
    /** The `cacerts` secret on a primary. */
    public readonly cacerts?: k8s.core.v1.Secret;

    constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:ControlPlane", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const { role } = args;
        // An existing cluster may already have them: adopted, and kept on destroy.
        const adoption = adopted(args.adoptsExistingObjects ?? false);
        const namespaceAnnotations = {
            ...adoption.annotations,
            // Tells the primary's istiod that it controls this remote (it then patches its webhook CA).
            ...(role.kind === "remote" ? { "topology.istio.io/controlPlaneClusters": role.primaryCluster } : {}),
        };

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-istio-system`,
            {
                metadata: {
                    name: istioNamespace,
                    labels: { "topology.istio.io/network": args.network },
                    annotations: Object.keys(namespaceAnnotations).length > 0 ? namespaceAnnotations : undefined,
                },
            },
            { ...child, ...adoption.opts, dependsOn: args.nodesReady },
        );
        const namespace = this.namespace.metadata.name;

        const istiodPrerequisites: pulumi.Resource[] = [];
        if (role.kind === "primary") {
            const ca = role.cacerts;
            this.cacerts = new k8s.core.v1.Secret(
                `${name}-cacerts`,
                {
                    metadata: { name: "cacerts", namespace, annotations: adoption.annotations },
                    stringData: pulumi.secret({
                        "ca-cert.pem": ca.caCertPem,
                        "ca-key.pem": ca.caKeyPem,
                        "root-cert.pem": ca.rootCertPem,
                        "cert-chain.pem": ca.certChainPem,
                    }),
                },
                { ...child, ...adoption.opts },
            );
            istiodPrerequisites.push(this.cacerts);
        }

        this.base = new k8s.helm.v3.Release(
            `${name}-istio-base`,
            {
                ...releaseBasics("istio-base", namespace, controlPlaneTimeoutSeconds),
                ...istioChart(args.charts, "base"),
                values: baseValues(role.kind),
            },
            { ...child, dependsOn: args.nodesReady },
        );
        this.istiod = new k8s.helm.v3.Release(
            `${name}-istiod`,
            {
                ...releaseBasics("istiod", namespace, controlPlaneTimeoutSeconds),
                ...istioChart(args.charts, "istiod"),
                values: istiodValues(args),
            },
            { ...child, dependsOn: [this.base, ...istiodPrerequisites, ...args.nodesReady] },
        );
        this.registerOutputs({});
    }
}
