import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HelmValues, istioNamespace } from "./chart";
import { GatewayArgs, gatewayRelease, loadBalancerService, serviceAddress } from "./gateway";

/** Name of the gateway's release, deployment and Service; the chart derives its labels from it. */
export const eastWestGatewayName = "istio-eastwestgateway";

/**
 * Ports of the east-west gateway's load balancer; 15443 is mTLS passthrough, so no layer-7
 * balancer may front it. istiod's xDS (15012) and injection webhook (15017) are opened only on a
 * primary that serves remotes: nothing else listens there.
 */
export function eastWestPorts(exposeIstiod: boolean): { name: string; port: number }[] {
    return [
        { name: "status-port", port: 15021 },
        { name: "tls", port: 15443 },
        ...(exposeIstiod
            ? [
                  { name: "tls-istiod", port: 15012 },
                  { name: "tls-webhook", port: 15017 },
              ]
            : []),
    ];
}

/** Everything the east-west gateway of one cluster needs. */
export interface EastWestGatewayArgs extends GatewayArgs {
    /** Istio network this gateway fronts (topology.istio.io/network). */
    network: string;
    /**
     * True on a primary that serves remotes: its load balancer also opens istiod's ports
     * (15012, 15017), which its istiod-gateway routes to istiod. False: only 15021 and 15443.
     */
    exposeIstiod: boolean;
}

/** Helm values of the `gateway` chart for an east-west gateway. */
export function eastWestGatewayValues(network: string): HelmValues {
    return {
        name: eastWestGatewayName,
        networkGateway: network,
        // The program owns the load-balancer Service: the chart creates none.
        service: { type: "None" },
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

        this.release = gatewayRelease(
            `${name}-release`,
            { name: eastWestGatewayName, namespace: istioNamespace, values: eastWestGatewayValues(args.network) },
            args,
            child,
        );
        const selector = { istio: "eastwestgateway", app: eastWestGatewayName };
        this.service = loadBalancerService(
            `${name}-service`,
            {
                name: eastWestGatewayName,
                namespace: istioNamespace,
                // istiod finds a network's gateways by the network label on their Service.
                labels: { "topology.istio.io/network": args.network, ...selector },
                selector,
                ports: eastWestPorts(args.exposeIstiod),
                address: args.address,
                allowedSourceRanges: args.allowedSourceRanges,
                nodesReady: args.nodesReady,
            },
            child,
        );
        this.address = serviceAddress(this.service, args.address);
        this.registerOutputs({ address: this.address });
    }
}
