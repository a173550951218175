import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DestinationRuleSpec, GatewaySpec, istioObject, VirtualServiceSpec } from "../mesh/istioObjects";
import { demoNamespace } from "./helloworld";

const host = `helloworld.${demoNamespace}.svc.cluster.local`;

/** Traffic policy and ingress routes for the helloworld demo, on one primary. */
export interface HelloworldRoutingArgs {
    /** Locality-aware failover (keeps traffic in the caller's region while local endpoints are healthy). */
    localityFailover: boolean;
    /** Route requests with header `end-user: jason` to v2. */
    versionHeader: boolean;
    /** Route `/hello` from the ingress gateways this primary configures; optional HTTPS. */
    ingress?: { tls?: { host: string; credentialName: string } };
    /** Kubernetes provider of the primary. */
    provider: k8s.Provider;
    /** The primary's control plane and its `sample` namespace. */
    dependsOn: pulumi.Resource[];
}

/** DestinationRule for helloworld: version subsets, and locality failover with the outlier detection it needs. */
export function helloworldDestinationRule(localityFailover: boolean): DestinationRuleSpec {
    return {
        host,
        subsets: [
            { name: "v1", labels: { version: "v1" } },
            { name: "v2", labels: { version: "v2" } },
        ],
        // Without outlier detection, locality failover never triggers.
        trafficPolicy: localityFailover
            ? {
                  loadBalancer: { localityLbSetting: { enabled: true } },
                  outlierDetection: { consecutive5xxErrors: 1, interval: "1s", baseEjectionTime: "1m" },
              }
            : undefined,
    };
}

/** VirtualService pinning `end-user: jason` to v2 (the seeds' pattern); everyone else is balanced. */
export const helloworldVersionRoute: VirtualServiceSpec = {
    hosts: [host],
    http: [
        { match: [{ headers: { "end-user": { exact: "jason" } } }], route: [{ destination: { host, subset: "v2" } }] },
        { route: [{ destination: { host } }] },
    ],
};

/** Gateway for the ingress gateways: HTTP on 80, or HTTPS on 443 with HTTP redirected. */
export function helloworldIngressGateway(tls?: { host: string; credentialName: string }): GatewaySpec {
    const selector = { istio: "ingressgateway" };
    if (!tls) {
        return { selector, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] };
    }
    return {
        selector,
        servers: [
            { port: { number: 80, name: "http", protocol: "HTTP" }, hosts: [tls.host], tls: { httpsRedirect: true } },
            {
                port: { number: 443, name: "https", protocol: "HTTPS" },
                hosts: [tls.host],
                // The Secret lives in istio-ingress of every cluster running the gateway.
                tls: { mode: "SIMPLE", credentialName: tls.credentialName },
            },
        ],
    };
}

/** VirtualService sending `/hello` from the ingress Gateway to helloworld. */
export function helloworldIngressRoute(tls?: { host: string }): VirtualServiceSpec {
    return {
        hosts: [tls?.host ?? "*"],
        gateways: ["helloworld-gateway"],
        http: [{ match: [{ uri: { prefix: "/hello" } }], route: [{ destination: { host, port: { number: 5000 } } }] }],
    };
}

/**
 * Istio configuration of the helloworld demo on one primary (Istio reads configuration from
 * primaries only; it applies to the primary's remotes too).
 */
export class HelloworldRouting extends pulumi.ComponentResource {
    public readonly objects: k8s.apiextensions.CustomResource[] = [];

    constructor(name: string, args: HelloworldRoutingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:apps:HelloworldRouting", name, {}, opts);
        const child = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const at = (objectName: string) => ({ name: objectName, namespace: demoNamespace });
        if (args.localityFailover || args.versionHeader) {
            this.objects.push(
                istioObject(
                    `${name}-destination-rule`,
                    "DestinationRule",
                    at("helloworld"),
                    helloworldDestinationRule(args.localityFailover),
                    child,
                ),
            );
        }
        if (args.versionHeader) {
            this.objects.push(istioObject(`${name}-version-route`, "VirtualService", at("helloworld"), helloworldVersionRoute, child));
        }
        if (args.ingress) {
            this.objects.push(
                istioObject(
                    `${name}-ingress-gateway`,
                    "Gateway",
                    at("helloworld-gateway"),
                    helloworldIngressGateway(args.ingress.tls),
                    child,
                ),
                istioObject(
                    `${name}-ingress-route`,
                    "VirtualService",
                    at("helloworld-ingress"),
                    helloworldIngressRoute(args.ingress.tls),
                    child,
                ),
            );
        }
        this.registerOutputs({});
    }
}
