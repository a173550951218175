import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HelmValues, istioChart, IstioCharts, istioNamespace, releaseBasics } from "./chart";
import { adopted } from "./adopted";
import { CaBundle } from "./intermediateCa";
import { chartRevision, istiodResourceName, istiodServiceName, unrevisioned } from "./revisions";

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

/** One control-plane revision in a cluster. */
export interface ControlPlaneRevision {
    /** Revision name; `default` is the unrevisioned install (Release `istiod`). */
    name: string;
    /** Charts of the revision's Istio version. */
    charts: IstioCharts;
    /**
     * What must be up before this revision's webhooks in a remote point at its primary: the
     * primary's istiod of the same revision. Empty on a primary.
     */
    after: pulumi.Resource[];
}

/** The revisions a cluster runs, and where its default tag points. */
export interface ControlPlaneRevisions {
    revisions: ControlPlaneRevision[];
    /** The revision the `default` tag points at: `base`'s validator and `istiod` of this component. */
    defaultRevision: string;
    /**
     * The `default` tag's webhooks: once the tag points away from the unrevisioned istiod, that
     * istiod stops rendering its own injection webhook (which would match pods a second time),
     * and only after the tag's webhooks exist, so that no moment goes without an injector.
     */
    tagWebhooks: Promise<pulumi.Resource[]>;
}

/** Istio's control plane in one cluster. */
export interface ControlPlaneArgs {
    /** Istio cluster ID (`global.multiCluster.clusterName`). */
    clusterName: string;
    /** Istio network of the cluster. */
    network: string;
    meshId: string;
    role: ControlPlaneRole;
    /** Charts of `base` (with revisions: the newest revision's version) and, without revisions, of istiod. */
    charts: IstioCharts;
    /** Canary revisions; undefined: one unrevisioned istiod, as before revisions existed. */
    revisions?: ControlPlaneRevisions;
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
export function baseValues(role: ControlPlaneRole["kind"], defaultRevision?: string): HelmValues {
    return {
        ...(role === "remote" ? { profile: "remote" } : {}),
        // The default validator calls istiod-<defaultRevision>: it must name a revision that runs,
        // or it rejects every Istio object. "default" (the chart's own default) is Service istiod.
        ...(defaultRevision !== undefined && defaultRevision !== unrevisioned ? { defaultRevision } : {}),
    };
}

/**
 * An istiod's values as one revision of several: `revision` names its Release's objects and
 * Service; the unrevisioned istiod stops rendering its injection webhooks once the default tag
 * points elsewhere (`global.operatorManageWebhooks` turns off mutatingwebhook.yaml and
 * revision-tags-mwc.yaml, not the validator).
 */
export function revisionValues(values: HelmValues, revision: string, defaultRevision: string): HelmValues {
    if (revision !== unrevisioned) return { ...values, revision: chartRevision(revision) };
    if (defaultRevision === unrevisioned) return values;
    return { ...values, global: { ...values.global, operatorManageWebhooks: true } };
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
    /**
     * The `istiod` release (istiod on a primary; webhooks and reader role on a remote) of the
     * revision the default tag points at: the one that must survive the removal of another.
     */
    public readonly istiod: k8s.helm.v3.Release;
    /** The revision the default tag points at in this cluster (`default`: the unrevisioned istiod). */
    public readonly defaultRevision: string;
    /** The istiod release of each revision, by revision name. */
    public readonly istiods = new Map<string, k8s.helm.v3.Release>();
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
                values: baseValues(role.kind, args.revisions?.defaultRevision),
            },
            { ...child, dependsOn: args.nodesReady },
        );
        const revisions: ControlPlaneRevisions = args.revisions ?? {
            revisions: [{ name: unrevisioned, charts: args.charts, after: [] }],
            defaultRevision: unrevisioned,
            tagWebhooks: Promise.resolve([]),
        };
        const values = istiodValues(args);
        for (const revision of revisions.revisions) {
            const retiresWebhooks = revision.name === unrevisioned && revisions.defaultRevision !== unrevisioned;
            const prerequisites: pulumi.Input<pulumi.Resource>[] = [
                this.base,
                ...istiodPrerequisites,
                ...args.nodesReady,
                ...revision.after,
            ];
            const release = new k8s.helm.v3.Release(
                istiodResourceName(name, revision.name),
                {
                    ...releaseBasics(istiodServiceName(revision.name), namespace, controlPlaneTimeoutSeconds),
                    ...istioChart(revision.charts, "istiod"),
                    values: values.apply((v) => revisionValues(v, revision.name, revisions.defaultRevision)),
                },
                {
                    ...child,
                    dependsOn: retiresWebhooks
                        ? revisions.tagWebhooks.then<pulumi.Input<pulumi.Resource>[]>((tags) => [...prerequisites, ...tags])
                        : prerequisites,
                },
            );
            this.istiods.set(revision.name, release);
        }
        this.defaultRevision = revisions.defaultRevision;
        this.istiod = this.istiods.get(revisions.defaultRevision) ?? [...this.istiods.values()][0];
        this.registerOutputs({});
    }
}
