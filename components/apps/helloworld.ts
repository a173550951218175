import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Namespace of the demo. */
export const demoNamespace = "sample";
/**
 * Images of Istio's samples, pinned, from the mesh's image hub (docker.io/istio, where Istio
 * publishes them, or its mirror); the curl client is not Istio's and comes from Docker Hub.
 */
export function demoImages(imageHub: string) {
    return {
        v1: `${imageHub}/examples-helloworld-v1:1.0`,
        v2: `${imageHub}/examples-helloworld-v2:1.0`,
        curl: "docker.io/curlimages/curl:8.16.0",
    } as const;
}

/** Versions of the helloworld sample. */
export type HelloworldVersion = "v1" | "v2";

/** The helloworld demo in one cluster. */
export interface HelloworldArgs {
    /** Version this cluster serves. */
    version: HelloworldVersion;
    /** Registry path of Istio's images, where the sample images come from. */
    imageHub: string;
    /** Kubernetes provider of the cluster. */
    provider: k8s.Provider;
    /** The cluster's node pools. */
    nodesReady: pulumi.Resource[];
    /**
     * What must be in place before injected pods are admitted: the cluster's istiod, or for a
     * remote its attachment to its primary. Pods admitted earlier stay uninjected.
     */
    injectionReady: pulumi.Resource[];
}

/**
 * Istio's helloworld sample in one cluster: the `helloworld` Service (in every cluster, so
 * that the name resolves everywhere), one version's Deployment, and a curl client to call it.
 */
export class Helloworld extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;

    constructor(name: string, args: HelloworldArgs, opts?: pulumi.ComponentResourceOptions) {
        super("istio-multicloud:apps:Helloworld", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: demoNamespace, labels: { "istio-injection": "enabled" } } },
            { ...child, dependsOn: args.nodesReady },
        );
        const namespace = this.namespace.metadata.name;
        const workload = { ...child, dependsOn: [...args.injectionReady, ...args.nodesReady] };
        const images = demoImages(args.imageHub);

        new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: "helloworld", namespace, labels: { app: "helloworld", service: "helloworld" } },
                spec: { selector: { app: "helloworld" }, ports: [{ name: "http", port: 5000, targetPort: 5000 }] },
            },
            // A Service with a selector waits for ready endpoints: only once the pods exist.
            { ...child, dependsOn: workload.dependsOn },
        );
        const labels = { app: "helloworld", version: args.version };
        new k8s.apps.v1.Deployment(
            `${name}-helloworld-${args.version}`,
            {
                metadata: { name: `helloworld-${args.version}`, namespace, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels },
                        spec: {
                            containers: [
                                {
                                    name: "helloworld",
                                    image: images[args.version],
                                    ports: [{ containerPort: 5000 }],
                                    resources: { requests: { cpu: "100m", memory: "64Mi" } },
                                },
                            ],
                        },
                    },
                },
            },
            workload,
        );
        const curlLabels = { app: "curl" };
        new k8s.apps.v1.Deployment(
            `${name}-curl`,
            {
                metadata: { name: "curl", namespace, labels: curlLabels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: curlLabels },
                    template: {
                        metadata: { labels: curlLabels },
                        spec: {
                            terminationGracePeriodSeconds: 0,
                            containers: [
                                {
                                    name: "curl",
                                    image: images.curl,
                                    command: ["/bin/sleep", "infinity"],
                                    resources: { requests: { cpu: "10m", memory: "16Mi" } },
                                },
                            ],
                        },
                    },
                },
            },
            workload,
        );
        this.registerOutputs({});
    }
}
