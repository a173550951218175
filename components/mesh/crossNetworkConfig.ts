import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { istioNamespace } from "./chart";
import { GatewaySpec, istioObject, VirtualServiceSpec } from "./istioObjects";
import { istiodServiceName, unrevisioned } from "./revisions";

/** Istio configuration a primary needs for traffic between networks. */
export interface CrossNetworkConfigArgs {
    /** Expose this primary's istiod through its east-west gateway (it serves remotes). */
    exposeIstiod: boolean;
    /** The revisions istiod runs as, each routed by its own SNI; undefined: one unrevisioned istiod. */
    revisions?: string[];
    /** Kubernetes provider of the primary. */
    provider: k8s.Provider;
    /**
     * The primary's `base` (Istio's CRDs) and `istiod` (its validating webhook admits these
     * objects once istiod runs).
     */
    controlPlane: pulumi.Resource[];
}

const eastWestSelector = { istio: "eastwestgateway" };
const istiodHost = "istiod.istio-system.svc.cluster.local";

/** The Gateway that lets other networks reach this network's services through mTLS passthrough. */
export const crossNetworkGatewaySpec: GatewaySpec = {
    selector: eastWestSelector,
    servers: [{ port: { number: 15443, name: "tls", protocol: "TLS" }, tls: { mode: "AUTO_PASSTHROUGH" }, hosts: ["*.local"] }],
};

/** The Gateway that exposes istiod (xDS and the injection webhook) to remotes. */
export const istiodGatewaySpec: GatewaySpec = {
    selector: eastWestSelector,
    servers: [
        { port: { number: 15012, name: "tls-istiod", protocol: "TLS" }, tls: { mode: "PASSTHROUGH" }, hosts: ["*"] },
        { port: { number: 15017, name: "tls-istiodwebhook", protocol: "TLS" }, tls: { mode: "PASSTHROUGH" }, hosts: ["*"] },
    ],
};

/** Routes the exposed istiod ports to istiod (the webhook listens on 443 behind 15017). */
export const istiodVirtualServiceSpec: VirtualServiceSpec = {
    hosts: ["*"],
    gateways: ["istiod-gateway"],
    tls: [
        { match: [{ port: 15012, sniHosts: ["*"] }], route: [{ destination: { host: istiodHost, port: { number: 15012 } } }] },
        { match: [{ port: 15017, sniHosts: ["*"] }], route: [{ destination: { host: istiodHost, port: { number: 443 } } }] },
    ],
};

/**
 * Routes for istiod revisions: each by the SNI its remotes' proxies and API server send
 * (`istiod-<rev>.istio-system.svc`, the remote's Service of that revision) to that revision's
 * istiod. The unrevisioned istiod, when it runs, keeps its catch-all routes, last.
 */
export function istiodVirtualServiceSpecFor(revisions: string[]): VirtualServiceSpec {
    const routes = revisions
        .filter((r) => r !== unrevisioned)
        .flatMap((r) => {
            const service = istiodServiceName(r);
            const sniHosts = [`${service}.istio-system.svc`, `${service}.istio-system.svc.cluster.local`];
            const host = `${service}.istio-system.svc.cluster.local`;
            return [
                { match: [{ port: 15012, sniHosts }], route: [{ destination: { host, port: { number: 15012 } } }] },
                { match: [{ port: 15017, sniHosts }], route: [{ destination: { host, port: { number: 443 } } }] },
            ];
        });
    const fallback = revisions.includes(unrevisioned) ? (istiodVirtualServiceSpec.tls ?? []) : [];
    return { ...istiodVirtualServiceSpec, tls: [...routes, ...fallback] };
}

/**
 * Istio configuration of one primary for a multi-network mesh: the cross-network Gateway and,
 * when the primary serves remotes, istiod's exposure. Only primaries get it: istiod reads Istio
 * configuration from its own cluster, and a remote's copy would be ignored.
 */
export class CrossNetworkConfig extends pulumi.ComponentResource {
    /** The objects, for whatever must wait until they are in place. */
    public readonly objects: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: CrossNetworkConfigArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:mesh:CrossNetworkConfig", name, {}, opts);
        const child = { parent: this, provider: args.provider, dependsOn: args.controlPlane };
        const at = (objectName: string) => ({ name: objectName, namespace: istioNamespace });
        this.objects = [
            istioObject(`${name}-cross-network-gateway`, "Gateway", at("cross-network-gateway"), crossNetworkGatewaySpec, child),
        ];
        if (args.exposeIstiod) {
            this.objects.push(
                istioObject(`${name}-istiod-gateway`, "Gateway", at("istiod-gateway"), istiodGatewaySpec, child),
                istioObject(
                    `${name}-istiod-vs`,
                    "VirtualService",
                    at("istiod-vs"),
                    args.revisions ? istiodVirtualServiceSpecFor(args.revisions) : istiodVirtualServiceSpec,
                    child,
                ),
            );
        }
        this.registerOutputs({});
    }
}
