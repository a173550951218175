import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StaticAddress } from "../clusters/cluster";
import { HelmValues, istioChart, IstioCharts, releaseBasics } from "./chart";
import { revisionAnnotation, unrevisioned } from "./revisions";

/** What every Istio gateway of a cluster needs: where it runs, when it may start, its address. */
export interface GatewayArgs {
    /**
     * Static address the cloud load balancer takes; known before the gateway exists. Without
     * one (an existing cluster without a configured address) the cloud picks an address.
     */
    address?: StaticAddress;
    /** Source CIDRs allowed to reach the load balancer; all when empty. */
    allowedSourceRanges?: string[];
    /** Charts of the gateway: with revisions, the version of the revision the default tag points at. */
    charts: IstioCharts;
    /**
     * The revision whose istiod injects the gateway's pods (the default tag's target). Its name
     * is a pod annotation, so that moving the tag restarts the pods onto the new revision while
     * the Service (and the load balancer's address) stays. Undefined or `default`: no annotation.
     */
    injectedBy?: string;
    /** Kubernetes provider of the cluster the gateway runs in. */
    provider: k8s.Provider;
    /** The cluster's node pools. */
    nodesReady: pulumi.Resource[];
    /**
     * What must serve the gateway's pods before they start: they are injected, so an istiod (in
     * a remote: its primary's, reachable through the primary's gateway, with the remote
     * attached). Pods admitted earlier stay uninjected and never start.
     */
    injectionReady: pulumi.Resource[];
}

/** Seconds a gateway Release waits; in a remote, injection waits on cross-cloud load balancers. */
export const gatewayTimeoutSeconds = 1200;

/** The `gateway` chart as release `releaseName`, started once injection works in its cluster. */
export function gatewayRelease(
    resourceName: string,
    release: { name: string; namespace: pulumi.Input<string>; values: HelmValues },
    args: GatewayArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        resourceName,
        {
            ...releaseBasics(release.name, release.namespace, gatewayTimeoutSeconds),
            ...istioChart(args.charts, "gateway"),
            values: withRevisionAnnotation(release.values, args.injectedBy),
        },
        { ...opts, dependsOn: [...args.injectionReady, ...args.nodesReady] },
    );
}

/** Gateway values whose pods name the revision that injects them (the chart merges its default annotations). */
export function withRevisionAnnotation(values: HelmValues, revision?: string): HelmValues {
    if (revision === undefined || revision === unrevisioned) return values;
    return { ...values, podAnnotations: { ...values.podAnnotations, [revisionAnnotation]: revision } };
}

/** A gateway's LoadBalancer Service: what it selects, where it listens, which address it takes. */
export interface LoadBalancerServiceArgs {
    /** Service name (the gateway's name). */
    name: string;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    selector: Record<string, string>;
    ports: ReadonlyArray<{ name: string; port: number }>;
    /** Static address the cloud load balancer takes; without one the cloud picks an address. */
    address?: StaticAddress;
    /** Source CIDRs allowed to reach the load balancer; all when empty. */
    allowedSourceRanges?: string[];
    /** The cluster's node pools. */
    nodesReady: pulumi.Resource[];
}

/** Spec of a gateway's LoadBalancer Service (pure, for tests and reviews). */
export function loadBalancerServiceSpec(args: Pick<LoadBalancerServiceArgs, "selector" | "ports" | "allowedSourceRanges">) {
    return {
        type: "LoadBalancer",
        selector: args.selector,
        // Static addresses are IPv4: a dual-stack Service could not take them.
        ipFamilyPolicy: "SingleStack",
        ipFamilies: ["IPv4"],
        ports: args.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" })),
        loadBalancerSourceRanges: args.allowedSourceRanges && args.allowedSourceRanges.length > 0 ? args.allowedSourceRanges : undefined,
    };
}

/**
 * The LoadBalancer Service in front of a gateway, owned by the program rather than the chart so
 * that a change of its address binding replaces it and its deletion is awaited.
 */
export function loadBalancerService(
    resourceName: string,
    args: LoadBalancerServiceArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Service {
    const address = args.address;
    return new k8s.core.v1.Service(
        resourceName,
        {
            metadata: { name: args.name, namespace: args.namespace, labels: args.labels, annotations: address?.annotations },
            spec: { ...loadBalancerServiceSpec(args), loadBalancerIP: address?.loadBalancerIP },
        },
        {
            ...opts,
            // Deleted, and its cloud load balancer with it, before the static addresses, node
            // pools and cluster it needs; the provider waits until its finalizer is cleared. It is
            // created alongside the gateway's release: the load balancer provisions while pods start.
            dependsOn: [...(address?.dependencies ?? []), ...args.nodesReady],
            // Clouds read the address annotations only when they create the load balancer (AWS
            // ignores later changes): a change must replace the Service. Nothing else may: a
            // replaced Service is a new load balancer (and, without a static address, a new IP).
            // Ports change in place (pulumi-kubernetes replaces a Service only for its name,
            // namespace, spec.type or spec.clusterIP), so opening or closing one keeps the address.
            replaceOnChanges: ["metadata.annotations", "spec.loadBalancerIP"],
            deleteBeforeReplace: true,
            customTimeouts: { create: "20m", update: "20m", delete: "20m" },
        },
    );
}

/** The address a gateway is reached at: its static IP, or what the cloud reported. */
export function serviceAddress(service: k8s.core.v1.Service, address?: StaticAddress): pulumi.Output<string> {
    return address ? address.ip : service.status.loadBalancer.ingress.apply((i) => i?.[0]?.ip ?? i?.[0]?.hostname ?? "");
}
