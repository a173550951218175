import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StaticAddress } from "../clusters/cluster";
import { HelmValues, istioChart, IstioCharts, istioNamespace, releaseBasics } from "./chart";

/** Name of the gateway's release, deployment and Service; the chart derives its labels from it. */
export const eastWestGatewayName = "istio-eastwestgateway";

/** Ports of the east-west gateway; 15443 is mTLS passthrough, so no layer-7 balancer may front it. */
export const eastWestPorts = [
    { name: "status-port", port: 15021 },
    { name: "tls", port: 15443 },
    { name: "tls-istiod", port: 15012 },
    { name: "tls-webhook", port: 15017 },
] as const;

/** Everything the east-west gateway of one cluster needs. */
export interface EastWestGatewayArgs {
    /** Istio network this gateway fronts (topology.istio.io/network). */
    network: string;
    /**
     * Static address the cloud load balancer takes; known before the gateway exists. Without
     * one (an existing cluster that is not a primary with remotes) the cloud picks an address.
     */
    address?: StaticAddress;
    /** Source CIDRs allowed to reach the load balancer; all when empty. */
    allowedSourceRanges?: string[];
    charts: IstioCharts;
    /** Kubernetes provider of the cluster the gateway runs in. */
    provider: k8s.Provider;
    /** The cluster's node pools. */
    nodesReady: pulumi.Resource[];
    /**
     * What must serve the gateway's pods before they start: they are injected, so an istiod
     * (in a remote: its primary's, reachable through the primary's gateway, with the remote
     * attached).
     */
    injectionReady: pulumi.Resource[];
}

/** Seconds the gateway Release waits; in a remote, injection waits on cross-cloud load balancers. */
export const eastWestTimeoutSeconds = 1200;

/** Helm values of the `gateway` chart for an east-west gateway. */
export function eastWestGatewayValues(network: string): HelmValues {
    return {
        name: eastWestGatewayName,
        networkGateway: network,
        // The program owns the load-balancer Service (below): the chart creates none.
        service: { type: "None" },
    };
}

/** Service annotations, labels and spec of the east-west gateway's load balancer. */
export function eastWestServiceSpec(network: string, allowedSourceRanges: string[] = []) {
    return {
        labels: {
            // istiod finds a network's gateways by this label on their Service.
            "topology.istio.io/network": network,
            istio: "eastwestgateway",
            app: eastWestGatewayName,
        },
        spec: {
            type: "LoadBalancer",
            selector: { istio: "eastwestgateway", app: eastWestGatewayName },
            // Static addresses are IPv4: a dual-stack Service could not take them.
            ipFamilyPolicy: "SingleStack",
            ipFamilies: ["IPv4"],
            ports: eastWestPorts.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: "TCP" })),
            loadBalancerSourceRanges: allowedSourceRanges.length > 0 ? allowedSourceRanges : undefined,
        },
    };
}

/**
 * The east-west gateway of one cluster: the `gateway` chart as `istio-eastwestgateway`, and
 * the LoadBalancer Service in front of it, bound to the cluster's static address.
 */
export class EastWestGateway extends pulumi.ComponentResource {
    /** The address other networks reach this gateway at (the IP remotes use as remotePilotAddress). */
    public readonly address: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;
    public readonly service: k8s.core.v1.Service;

    constructor(name: string, args: EastWestGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:EastWestGateway", name, {}, opts);
        const child = { parent: this, provider: args.provider };

        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                ...releaseBasics(eastWestGatewayName, istioNamespace, eastWestTimeoutSeconds),
                ...istioChart(args.charts, "gateway"),
                values: eastWestGatewayValues(args.network),
            },
            { ...child, dependsOn: [...args.injectionReady, ...args.nodesReady] },
        );

        const shape = eastWestServiceSpec(args.network, args.allowedSourceRanges);
        const address = args.address;
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: {
                    name: eastWestGatewayName,
                    namespace: istioNamespace,
                    labels: shape.labels,
                    annotations: address?.annotations,
                },
                spec: { ...shape.spec, loadBalancerIP: address?.loadBalancerIP },
            },
            {
                ...child,
                // The Service is deleted, and its load balancer with it, before the static
                // addresses, node pools and cluster it needs; the provider waits until its
                // finalizer is cleared.
                // It is created alongside the release: the load balancer provisions while the pods start.
                dependsOn: [...(address?.dependencies ?? []), ...args.nodesReady],
                // Clouds read the address annotations only when they create the load balancer
                // (AWS ignores later changes): a change must replace the Service.
                replaceOnChanges: ["metadata.annotations", "spec.loadBalancerIP"],
                deleteBeforeReplace: true,
                customTimeouts: { create: "20m", update: "20m", delete: "20m" },
            },
        );

        const ingress = this.service.status.loadBalancer.ingress;
        this.address = address ? address.ip : ingress.apply((i) => i?.[0]?.ip ?? i?.[0]?.hostname ?? "");
        this.registerOutputs({ address: this.address });
    }
}
