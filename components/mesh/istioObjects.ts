import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// A small typed layer over CustomResource for the Istio objects this program writes, so a
// misspelled field is a compile error rather than a silently ignored key.

/** networking.istio.io/v1 Gateway server. */
export interface GatewayServer {
    port: { number: number; name: string; protocol: "TLS" | "HTTP" | "HTTPS" };
    tls?: { mode: "PASSTHROUGH" | "AUTO_PASSTHROUGH" | "SIMPLE"; credentialName?: string };
    hosts: string[];
}

/** networking.istio.io/v1 Gateway spec. */
export interface GatewaySpec {
    selector: Record<string, string>;
    servers: GatewayServer[];
}

/** networking.istio.io/v1 VirtualService spec (the TLS routes this program uses). */
export interface VirtualServiceSpec {
    hosts: string[];
    gateways: string[];
    tls?: {
        match: { port: number; sniHosts: string[] }[];
        route: { destination: { host: string; port: { number: number } } }[];
    }[];
}

interface IstioKinds {
    Gateway: GatewaySpec;
    VirtualService: VirtualServiceSpec;
}

/** Creates one networking.istio.io/v1 object. */
export function istioObject<K extends keyof IstioKinds>(
    resourceName: string,
    kind: K,
    metadata: { name: string; namespace: string },
    spec: IstioKinds[K],
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        resourceName,
        { apiVersion: "networking.istio.io/v1", kind, metadata, spec },
        opts,
    );
}
