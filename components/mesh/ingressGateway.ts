import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { adopted } from "./adopted";
import { HelmValues } from "./chart";
import { GatewayArgs, gatewayRelease, loadBalancerService, serviceAddress } from "./gateway";

/** Name of the ingress gateway's release, deployment and Service (labels istio: ingressgateway). */
export const ingressGatewayName = "istio-ingressgateway";
/** Namespace of the ingress gateway, by Istio's convention; TLS Secrets for it live here too. */
export const ingressNamespace = "istio-ingress";

/**
 * Ports of the ingress gateway's load balancer (the chart's names): 80 always (HTTP, or the
 * redirect to HTTPS), 443 only when the gateway serves HTTPS.
 */
export function ingressPorts(https: boolean): { name: string; port: number }[] {
    return [{ name: "status-port", port: 15021 }, { name: "http2", port: 80 }, ...(https ? [{ name: "https", port: 443 }] : [])];
}

/** Everything the north-south ingress gateway of one cluster needs. */
export interface IngressGatewayArgs extends GatewayArgs {
    /** True when the gateway serves HTTPS (config `ingressTls`): its load balancer then opens 443. */
    https: boolean;
    /** The cluster existed before the program: `istio-ingress` may already be there (adopted, kept on destroy). */
    adoptsExistingObjects?: boolean;
}

/** Helm values of the `gateway` chart for the ingress gateway. */
export function ingressGatewayValues(): HelmValues {
    // The chart's pods carry sidecar.istio.io/inject: "true": the namespace needs no label.
    return { name: ingressGatewayName, service: { type: "None" } };
}

/**
 * A north-south ingress gateway: the `gateway` chart as `istio-ingressgateway` in
 * `istio-ingress`, behind a LoadBalancer Service on the cluster's static ingress address.
 */
export class IngressGateway extends pulumi.ComponentResource {
    /** The address clients reach the gateway at. */
    public readonly address: pulumi.Output<string>;
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly release: k8s.helm.v3.Release;
    public readonly service: k8s.core.v1.Service;

    constructor(name: string, args: IngressGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:IngressGateway", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const adoption = adopted(args.adoptsExistingObjects ?? false);
        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: ingressNamespace, annotations: adoption.annotations } },
            { ...child, ...adoption.opts, dependsOn: args.nodesReady },
        );
        const namespace = this.namespace.metadata.name;
        this.release = gatewayRelease(
            `${name}-release`,
            { name: ingressGatewayName, namespace, values: ingressGatewayValues() },
            args,
            child,
        );
        const selector = { istio: "ingressgateway", app: ingressGatewayName };
        this.service = loadBalancerService(
            `${name}-service`,
            {
                name: ingressGatewayName,
                namespace,
                labels: selector,
                selector,
                ports: ingressPorts(args.https),
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
