import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

// A small typed layer over CustomResource for the Istio objects this program writes, so a
// misspelled field is a compile error rather than a silently ignored key.

/** networking.istio.io/v1 Gateway server. */
export interface GatewayServer {
    port: { number: number; name: string; protocol: "TLS" | "HTTP" | "HTTPS" };
    tls?: {
        mode?: "PASSTHROUGH" | "AUTO_PASSTHROUGH" | "SIMPLE";
        credentialName?: string;
        httpsRedirect?: boolean;
    };
    hosts: string[];
}

/** networking.istio.io/v1 Gateway spec. */
export interface GatewaySpec {
    selector: Record<string, string>;
    servers: GatewayServer[];
}

/** Where a route sends traffic. */
export interface RouteDestination {
    destination: { host: string; subset?: string; port?: { number: number } };
}

/** networking.istio.io/v1 VirtualService spec (the routes this program uses). */
export interface VirtualServiceSpec {
    hosts: string[];
    gateways?: string[];
    http?: {
        match?: { uri?: { prefix?: string; exact?: string }; headers?: Record<string, { exact: string }> }[];
        route: RouteDestination[];
    }[];
    tls?: {
        match: { port: number; sniHosts: string[] }[];
        route: RouteDestination[];
    }[];
}

/** networking.istio.io/v1 DestinationRule spec (subsets, locality failover, outlier detection). */
export interface DestinationRuleSpec {
    host: string;
    trafficPolicy?: {
        loadBalancer?: { localityLbSetting: { enabled: boolean } };
        outlierDetection?: { consecutive5xxErrors: number; interval: string; baseEjectionTime: string };
    };
    subsets?: { name: string; labels: Record<string, string> }[];
}

/** security.istio.io/v1 PeerAuthentication spec. */
export interface PeerAuthenticationSpec {
    mtls: { mode: "STRICT" | "PERMISSIVE" };
}

interface IstioKinds {
    Gateway: GatewaySpec;
    VirtualService: VirtualServiceSpec;
    DestinationRule: DestinationRuleSpec;
    PeerAuthentication: PeerAuthenticationSpec;
}

const apiVersions: Record<keyof IstioKinds, string> = {
    Gateway: "networking.istio.io/v1",
    VirtualService: "networking.istio.io/v1",
    DestinationRule: "networking.istio.io/v1",
    PeerAuthentication: "security.istio.io/v1",
};

/** Creates one Istio configuration object. */
export function istioObject<K extends keyof IstioKinds>(
    resourceName: string,
    kind: K,
    metadata: { name: string; namespace: pulumi.Input<string> },
    spec: IstioKinds[K],
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(resourceName, { apiVersion: apiVersions[kind], kind, metadata, spec }, opts);
}
